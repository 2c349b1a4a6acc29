"""Who did what to which patient record, when, from which request (FHIR AuditEvent)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.models.base import timestamp


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_events"

    id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), primary_key=True)
    )
    occurred_at: datetime = timestamp()
    actor_id: str = Field(max_length=64)
    actor_role: str = Field(max_length=16)
    action: str = Field(max_length=32)  # read | create | update | ...
    resource_type: str = Field(max_length=32)
    resource_id: str = Field(max_length=64)
    patient_id: uuid.UUID | None = Field(default=None, index=True)
    request_id: str | None = Field(default=None, max_length=64)
    outcome: str = Field(default="success", max_length=16)
