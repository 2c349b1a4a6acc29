"""Putting a case on its queue, or moving it after a new decision: one statement for every
service that decides a route (the triage engine, a clinician's override).

    session.execute(PLACE_ON_QUEUE, placement(case_id, decision_id, queue, modality, urgency, now))

The statement is built once: building and keying it anew for every case cost the triage worker
more than running it (bench profile)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy import case as when
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.sql.dml import Insert

from shared.models import QueueEntry
from shared.routing import URGENCY_RANK, WAIT_TARGETS

PARAMETERS = ("entry_id", "case_id", "decision_id", "queue", "imaging_modality", "urgency",
              "urgency_rank", "entered_at", "due_at")


def _place_on_queue() -> Insert:
    """One queue entry per case. A re-route keeps the claim (status, owner) and the original
    entry time, since the patient has waited since then, and remembers where the case was
    before so the board can show that it moved."""
    p = {name: bindparam(f"placement_{name}") for name in PARAMETERS}
    statement = insert(QueueEntry).values(
        id=p["entry_id"], case_id=p["case_id"], decision_id=p["decision_id"], queue=p["queue"],
        imaging_modality=p["imaging_modality"], urgency=p["urgency"],
        urgency_rank=p["urgency_rank"], status="requested", business_status="waiting",
        entered_at=p["entered_at"], due_at=p["due_at"], updated_at=p["entered_at"],
    )
    new, current = statement.excluded, QueueEntry.__table__.c
    moved = (current.queue != new.queue) | (current.urgency != new.urgency)
    return statement.on_conflict_do_update(index_elements=[current.case_id], set_={
        "decision_id": new.decision_id,
        "queue": new.queue,
        "imaging_modality": new.imaging_modality,
        "urgency": new.urgency,
        "urgency_rank": new.urgency_rank,
        "due_at": current.entered_at + (new.due_at - new.entered_at),
        "updated_at": new.updated_at,
        "previous_queue": when((moved, current.queue), else_=current.previous_queue),
        "previous_urgency": when((moved, current.urgency), else_=current.previous_urgency),
        # A new placement answers any engine decision that was waiting for a clinician: the
        # clinician decided, or the engine may place this route (route_guard.py).
        "review_decision_id": None,
    })


PLACE_ON_QUEUE = _place_on_queue()


def placement(case_id: uuid.UUID, decision_id: uuid.UUID, queue: str,
              imaging_modality: str | None, urgency: str, now: datetime) -> dict:
    """The parameters of PLACE_ON_QUEUE for one case."""
    values = {"entry_id": uuid.uuid4(), "case_id": case_id, "decision_id": decision_id,
              "queue": queue, "imaging_modality": imaging_modality, "urgency": urgency,
              "urgency_rank": URGENCY_RANK[urgency], "entered_at": now,
              "due_at": now + WAIT_TARGETS[urgency]}
    return {f"placement_{name}": value for name, value in values.items()}
