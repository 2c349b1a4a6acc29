"""What the engine concludes about a case. Plain data: no I/O, JSON-serialisable."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Queue(StrEnum):
    HOME_CARE = "home_care"
    PHYSIO = "physio"
    IMAGING = "imaging"
    SURGICAL = "surgical"


class Modality(StrEnum):
    XRAY = "xray"
    MRI = "mri"


class Urgency(StrEnum):
    EMERGENCY = "emergency"
    URGENT = "urgent"
    SOON = "soon"
    ROUTINE = "routine"

    @property
    def rank(self) -> int:
        """Higher is more urgent; lets callers compare and take the maximum."""
        return _URGENCY_RANK[self]


_URGENCY_RANK = {Urgency.ROUTINE: 0, Urgency.SOON: 1, Urgency.URGENT: 2, Urgency.EMERGENCY: 3}


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
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)
