"""What the engine concludes about a case. Plain data: no I/O, JSON-serialisable."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
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
    rationale: str
    sources: tuple[Citation, ...]


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
    ruleset_version: str = ""
    ruleset_hash: str = ""
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


DECISION_FIELDS = tuple(f.name for f in fields(Decision))


def assemble_decision(values: dict) -> Decision:
    """``Decision(**values)``, built in one step for the engine's hot path.

    A frozen dataclass's generated ``__init__`` sets every field through
    ``object.__setattr__``, about 2 µs a decision; this fills the instance dict directly.
    ``values`` must give every field in DECISION_FIELDS order (tests compare the result with
    ``Decision(**values)``). The result is as frozen as any Decision.
    """
    decision = object.__new__(Decision)
    decision.__dict__.update(values)
    return decision
