"""What the engine concludes about a case. Plain data: no I/O, JSON-serialisable."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from shared.routing import Modality, Queue, Urgency

__all__ = ["Citation", "Decision", "FiredRule", "FollowUpStep", "LikelyCondition", "Modality",
           "Queue", "Urgency"]


@dataclass(frozen=True)
class Citation:
    source: str  # seed file and section, or guideline and year
    detail: str = ""


@dataclass(frozen=True)
class FiredRule:
    rule_id: str
    rationale: str  # what the rule says, in general
    sources: tuple[Citation, ...]
    findings: tuple[str, ...] = ()  # this case's findings that made it fire
    missing: tuple[str, ...] = ()  # what is still unanswered, for rules that fire on it


@dataclass(frozen=True)
class LikelyCondition:
    condition: str
    supporting: tuple[str, ...] = ()
    against: tuple[str, ...] = ()


@dataclass(frozen=True)
class FollowUpStep:
    after_days: int
    purpose: str  # e.g. "one-week check: no better after a week of rest escalates"
    kind: str = "check_in"


@dataclass(frozen=True)
class Decision:
    queue: Queue
    urgency: Urgency
    imaging_modality: Modality | None = None
    conditions: tuple[LikelyCondition, ...] = ()
    rules_fired: tuple[FiredRule, ...] = ()
    care_advice: tuple[str, ...] = ()
    follow_up_plan: tuple[FollowUpStep, ...] = ()
    missing_information: tuple[str, ...] = ()
    needs_clinician_review: bool = False
    # Emergency: seek care now and alert staff (the reference's emergency override flag).
    emergency_override: bool = False
    # Routes other fired rules pointed to but lost on precedence, for the clinician's eye.
    also_indicated: tuple[str, ...] = ()
    # Why the urgency is higher than the winning route's own, when it is.
    urgency_reason: str = ""
    ruleset_version: str = ""
    ruleset_hash: str = ""

    def to_dict(self) -> dict:
        return asdict(self)
