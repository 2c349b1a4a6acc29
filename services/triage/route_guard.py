"""Whether a re-triage may move a case, or must leave its route to a clinician. Pure: no I/O.

People's decisions stand (issue 13, section 3):
- a clinician's route is never replaced or lowered by the engine; when the engine now ranks the
  case higher, a clinician is asked to decide;
- an emergency or urgent route is never lowered by the engine (a patient's check-in answer or
  new exam findings); de-escalating it needs a clinician, who is asked.
The engine's decision is stored either way, so it stays reproducible and audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.routing import QUEUE_RANK, URGENCY_RANK

PROTECTED_URGENCIES = frozenset({"urgent", "emergency"})


@dataclass(frozen=True)
class Route:
    queue: str
    urgency: str
    source: str = "engine"  # engine | clinician


class Verdict(StrEnum):
    PLACE = "place"  # the engine's decision becomes the case's route
    KEEP = "keep"  # the current route stands; nothing for a clinician to look at
    KEEP_AND_ESCALATE = "keep_and_escalate"  # the current route stands; a clinician decides


def judge(current: Route | None, proposed: Route) -> Verdict:
    """What to do with the engine's `proposed` route for a case now on `current` (None: on no
    queue yet)."""
    if current is None:
        return Verdict.PLACE
    if current.source == "clinician":
        return Verdict.KEEP_AND_ESCALATE if _ranks_higher(proposed, current) else Verdict.KEEP
    if current.urgency in PROTECTED_URGENCIES and _ranks_higher(current, proposed):
        return Verdict.KEEP_AND_ESCALATE
    return Verdict.PLACE


def _ranks_higher(one: Route, other: Route) -> bool:
    """True when `one` is above `other` in queue rank or in urgency (either is enough: a more
    specialised queue and a sooner wait are each a step up)."""
    return (QUEUE_RANK[one.queue] > QUEUE_RANK[other.queue]
            or URGENCY_RANK[one.urgency] > URGENCY_RANK[other.urgency])
