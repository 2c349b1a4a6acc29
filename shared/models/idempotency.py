"""Idempotency-Key records of the intake API: a retried POST gets the first answer back.

The row is inserted in the same transaction as the request's effect, so "the key is known"
and "the effect happened" are one fact; the response is stored right after.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.models.base import timestamp


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "idempotency_keys"
    __table_args__ = (
        # A key belongs to whoever sent it: two callers may pick the same key independently.
        sa.UniqueConstraint("principal", "key", name="uq_idempotency_keys_principal_key"),
    )

    id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), primary_key=True)
    )
    key: str = Field(max_length=255)
    principal: str = Field(max_length=80)  # "user:<id>" or "patient:<id>"
    # sha256 of method, path and body: the same key with another request is refused.
    request_hash: str = Field(max_length=64)
    # Null until the response is recorded (just after the effect's commit).
    status_code: int | None = None
    response_body: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    # What the request created (its URL path), written with the key when the route names it:
    # a retry whose answer was never recorded is sent there (services/intake/idempotency.py).
    location: str | None = Field(default=None, max_length=300)
    created_at: datetime = timestamp(index=True)
