"""Column helpers shared by every table, and the constraint naming convention."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from shared.clock import utcnow

# Pinned constraint names keep migrations readable and reversible.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def uuid_pk() -> uuid.UUID:
    return Field(default_factory=uuid.uuid4, primary_key=True)


def timestamp(*, nullable: bool = False, index: bool = False, default_now: bool = True):
    column = sa.Column(sa.DateTime(timezone=True), nullable=nullable, index=index)
    if default_now:
        return Field(default_factory=utcnow, sa_column=column)
    return Field(default=None, sa_column=column)


def json_column(*, nullable: bool = False):
    return Field(sa_column=sa.Column(JSONB, nullable=nullable))


def foreign_key(target: str, *, nullable: bool = False, index: bool = True) -> uuid.UUID:
    return Field(foreign_key=target, nullable=nullable, index=index)


__all__ = ["SQLModel", "datetime", "foreign_key", "json_column", "timestamp", "uuid_pk"]
