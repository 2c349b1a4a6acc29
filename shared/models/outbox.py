"""Messages waiting to leave PostgreSQL for Redis (the transactional outbox)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from shared.models.base import json_column, timestamp


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.Index("ix_outbox_messages_pending", "id", postgresql_where=sa.text("published_at IS NULL")),
    )

    id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), primary_key=True)
    )
    message_id: uuid.UUID = Field(unique=True)
    task_name: str = Field(max_length=64)
    queue: str = Field(max_length=32)
    payload: dict[str, Any] = json_column()
    created_at: datetime = timestamp()
    published_at: datetime | None = timestamp(nullable=True, default_now=False)
    attempts: int = 0
    # The trace context of the transaction that wrote the row (W3C `traceparent`), handed on by
    # the relay in the message's headers: one trace from the request to the consumer
    # (shared/observability/tracing.py). Empty when written outside a trace.
    headers: dict[str, str] = Field(
        default_factory=dict,
        sa_column=sa.Column(JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")))
