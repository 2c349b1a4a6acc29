"""What the triage engine decided, and where the case waits because of it.

- TriageDecision  ~ FHIR ClinicalImpression (with RiskAssessment-style urgency)
- QueueEntry      ~ FHIR Task (status, owner, priority, business status, due date)
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.models.base import foreign_key, json_column, timestamp, uuid_pk


class TriageDecision(SQLModel, table=True):
    __tablename__ = "triage_decisions"

    id: uuid.UUID = uuid_pk()
    case_id: uuid.UUID = foreign_key("cases.id")
    # The message that asked for this decision: a redelivered message finds it and stops.
    request_id: uuid.UUID = Field(unique=True)
    source: str = Field(default="engine", max_length=16)  # engine | clinician
    # What asked for it: intake_submitted, exam_recorded, follow_up_answered, sweep, override.
    trigger: str = Field(default="intake_submitted", max_length=32)
    author_id: str | None = Field(default=None, max_length=64)  # the clinician, for overrides
    queue: str = Field(max_length=16)
    imaging_modality: str | None = Field(default=None, max_length=8)
    urgency: str = Field(max_length=16)
    needs_clinician_review: bool = False
    ruleset_version: str = Field(max_length=32)
    ruleset_hash: str = Field(max_length=64)
    # The exact inputs the engine saw, so the decision can be reproduced later.
    inputs: dict[str, Any] = json_column()
    outcome: dict[str, Any] = json_column()
    decided_at: datetime = timestamp()


# A queue entry in one of these FHIR Task statuses is still waiting or being worked.
OPEN_QUEUE_STATUSES = ("requested", "accepted", "in-progress")
_OPEN = sa.text("status IN ({})".format(", ".join(f"'{s}'" for s in OPEN_QUEUE_STATUSES)))


class QueueEntry(SQLModel, table=True):
    __tablename__ = "queue_entries"
    __table_args__ = (
        # The queue listing: one queue's open entries, most urgent first, then longest waiting.
        # Partial on the open statuses, so the index hands rows over in listing order; with
        # status as a key column, IN (three statuses) made PostgreSQL read and sort every open
        # row (bench: 24.8 ms at 1M stored cases, 1.2 ms with this index).
        sa.Index("ix_queue_entries_listing", "queue", sa.text("urgency_rank DESC"), "entered_at",
                 postgresql_where=_OPEN),
        # The breach sweep: open entries by due time.
        sa.Index("ix_queue_entries_open_due", "due_at",
                 postgresql_where=_OPEN),
    )

    id: uuid.UUID = uuid_pk()
    case_id: uuid.UUID = Field(foreign_key="cases.id", unique=True)
    decision_id: uuid.UUID = foreign_key("triage_decisions.id")
    queue: str = Field(max_length=16)
    imaging_modality: str | None = Field(default=None, max_length=8)
    urgency: str = Field(max_length=16)
    urgency_rank: int
    status: str = Field(default="requested", max_length=16)  # FHIR Task.status
    business_status: str = Field(default="waiting", max_length=32)
    owner_id: str | None = Field(default=None, max_length=64)
    claimed_at: datetime | None = timestamp(nullable=True, default_now=False)
    # Where the case was before its latest re-route, so the board can show that it moved.
    previous_queue: str | None = Field(default=None, max_length=16)
    previous_urgency: str | None = Field(default=None, max_length=16)
    # An engine decision this placement did not follow because a clinician set the route or
    # the route is urgent (services/triage/route_guard.py): a clinician must decide. Cleared
    # by the next placement, a clinician's or one the engine may make.
    review_decision_id: uuid.UUID | None = Field(default=None, foreign_key="triage_decisions.id")
    entered_at: datetime = timestamp()
    due_at: datetime = timestamp()
    updated_at: datetime = timestamp()
