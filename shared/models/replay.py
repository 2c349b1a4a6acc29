"""A what-if replay of a rule set asked for on the governance page (services/intake/governance/
replays.py) and run by the triage worker (services/triage/replay_requests.py): who asked, against
which rule set, and the report it stored."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from shared.models.base import timestamp, uuid_pk

REPLAY_STATUSES = ("requested", "running", "done", "failed")


class ReplayRequest(SQLModel, table=True):
    __tablename__ = "replay_requests"
    __table_args__ = (sa.CheckConstraint(
        "status IN ('requested', 'running', 'done', 'failed')", name="status"),)

    id: uuid.UUID = uuid_pk()
    against: str = Field(max_length=64)  # a released version, or the rule set in force
    requested_by: str = Field(max_length=64)  # the actor id, as the audit trail names it
    requested_by_role: str = Field(max_length=16)
    requested_at: datetime = timestamp(index=True)
    status: str = Field(default="requested", max_length=16)
    started_at: datetime | None = timestamp(nullable=True, default_now=False)
    finished_at: datetime | None = timestamp(nullable=True, default_now=False)
    # services/triage/replay.py ReplayReport.to_dict(), plus "limit" (the decisions it may read)
    report: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(JSONB, nullable=True))
    problem: str | None = Field(default=None, max_length=500)
