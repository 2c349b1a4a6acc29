"""Alerts to clinic staff: an emergency decision, or a case past its waiting-time target."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.models.base import foreign_key, timestamp, uuid_pk


class StaffAlert(SQLModel, table=True):
    __tablename__ = "staff_alerts"
    __table_args__ = (
        # One alert per recipient for each emergency or escalating decision, however often the
        # event is delivered. Breach alerts repeat at an interval (services/notify/staff_alerts).
        sa.Index("uq_staff_alerts_once", "kind", "decision_id", "recipient_id", unique=True,
                 postgresql_where=sa.text("kind <> 'breach'")),
        sa.Index("ix_staff_alerts_case_kind", "case_id", "kind", "created_at"),
        sa.Index("ix_staff_alerts_pending", "created_at",
                 postgresql_where=sa.text("status = 'pending'")),
    )

    id: uuid.UUID = uuid_pk()
    kind: str = Field(max_length=16)  # emergency | breach | escalation
    case_id: uuid.UUID = foreign_key("cases.id")
    decision_id: uuid.UUID = foreign_key("triage_decisions.id", index=False)
    recipient_id: uuid.UUID = foreign_key("users.id")
    status: str = Field(default="pending", max_length=16)  # pending | sent | failed
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=200)
    created_at: datetime = timestamp()
    sent_at: datetime | None = timestamp(nullable=True, default_now=False)
    # A clinician has seen it (claimed the case, or acknowledged on the case page): no more
    # alerts for this case and reason until something new happens.
    acknowledged_at: datetime | None = timestamp(nullable=True, default_now=False)
    acknowledged_by: uuid.UUID | None = Field(default=None, foreign_key="users.id")
