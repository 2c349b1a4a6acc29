"""The shape of a rule: plain data a clinician can read, review and diff."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from services.triage.engine.decision import Citation, Modality, Queue, Urgency


class Stage(IntEnum):
    """Precedence from the reference, section 0: a lower stage overrides a higher one."""

    RED_FLAG = 1
    TRAUMA = 2
    RUPTURE = 3
    CONDITION = 4
    ESCALATOR = 5


@dataclass(frozen=True)
class Rule:
    """One clinical rule.

    ``when``: every named fact must be true; ``unless``: none may be. Facts are defined in
    facts.py. A rule with a ``queue`` routes the case; one without only raises urgency or,
    with ``review``, sends the case to a clinician and keeps it out of home care.
    """

    id: str
    stage: Stage
    when: tuple[str, ...]
    rationale: str
    sources: tuple[Citation, ...]
    queue: Queue | None = None
    urgency: Urgency = Urgency.ROUTINE
    modality: Modality | None = None
    condition: str | None = None
    unless: tuple[str, ...] = ()
    review: bool = False


def cite(source: str, detail: str = "") -> Citation:
    return Citation(source, detail)
