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


class DeliveryStatus(StrEnum):
    SENT = "sent"
    FAILED = "failed"  # transient (unreachable, timeout, 5xx): the follow-up may be retried
    REJECTED = "rejected"  # final (the provider refused it): that channel is not retried


class FollowUp(SQLModel, table=True):
    __tablename__ = "follow_ups"
    __table_args__ = (
        # One follow-up per step of a decision's plan, however often "case routed" arrives.
        sa.UniqueConstraint("decision_id", "step", name="uq_follow_ups_decision_step"),
        # The dispatcher's hot query: scheduled rows whose next attempt is due.
        sa.Index("ix_follow_ups_next_attempt", "next_attempt_at",
                 postgresql_where=sa.text("status = 'scheduled'")),
    )

    id: uuid.UUID = uuid_pk()
    case_id: uuid.UUID = foreign_key("cases.id")
    decision_id: uuid.UUID = foreign_key("triage_decisions.id")
    step: int
    kind: str = Field(max_length=32)
    purpose: str = Field(max_length=500)
    status: str = Field(default=FollowUpStatus.SCHEDULED, max_length=16)
    # When the plan says it is due (clinical time) ...
    due_at: datetime = timestamp()
    # ... and when a dispatcher may next try it: moved out of the patient's quiet hours, then
    # pushed back by the retry backoff after a transient failure.
    next_attempt_at: datetime = timestamp()
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    sent_at: datetime | None = timestamp(nullable=True, default_now=False)
    created_at: datetime = timestamp()


class Delivery(SQLModel, table=True):
    __tablename__ = "deliveries"
    __table_args__ = (
        # A follow-up reaches a patient on a channel at most once, whatever a dispatcher does.
        sa.Index("uq_deliveries_sent_once", "follow_up_id", "channel", unique=True,
                 postgresql_where=sa.text("status = 'sent'")),
    )

    id: uuid.UUID = uuid_pk()
    follow_up_id: uuid.UUID = foreign_key("follow_ups.id")
    channel: str = Field(max_length=16)
    attempt: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    status: str = Field(max_length=16)  # DeliveryStatus
    error: str | None = Field(default=None, max_length=500)  # never patient data: a reason code
    attempted_at: datetime = timestamp()
