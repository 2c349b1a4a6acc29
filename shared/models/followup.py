"""Reminders and check-ins owed to a patient, and each attempt to deliver one.

- FollowUp  ~ FHIR CommunicationRequest
- Delivery  ~ FHIR Communication
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.models.base import foreign_key, timestamp, uuid_pk


class FollowUpStatus(StrEnum):
    SCHEDULED = "scheduled"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class FollowUp(SQLModel, table=True):
    __tablename__ = "follow_ups"
    __table_args__ = (
        # One follow-up per step of a decision's plan, however often "case routed" arrives.
        sa.UniqueConstraint("decision_id", "step", name="uq_follow_ups_decision_step"),
        # The dispatcher's hot query: scheduled rows by due time.
        sa.Index("ix_follow_ups_due", "due_at", postgresql_where=sa.text("status = 'scheduled'")),
    )

    id: uuid.UUID = uuid_pk()
    case_id: uuid.UUID = foreign_key("cases.id")
    decision_id: uuid.UUID = foreign_key("triage_decisions.id")
    step: int
    kind: str = Field(max_length=32)
    purpose: str = Field(max_length=500)
    status: str = Field(default=FollowUpStatus.SCHEDULED, max_length=16)
    due_at: datetime = timestamp()
    sent_at: datetime | None = timestamp(nullable=True, default_now=False)
    created_at: datetime = timestamp()


class Delivery(SQLModel, table=True):
    __tablename__ = "deliveries"

    id: uuid.UUID = uuid_pk()
    follow_up_id: uuid.UUID = foreign_key("follow_ups.id")
    channel: str = Field(max_length=16)
    status: str = Field(max_length=16)  # sent | failed
    error: str | None = Field(default=None, max_length=500)
    attempted_at: datetime = timestamp()
