"""A person who has ankle or lower-leg pain (FHIR Patient)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.models.base import timestamp, uuid_pk


class Patient(SQLModel, table=True):
    __tablename__ = "patients"
    __table_args__ = (
        # Backs the duplicate-patient check: same name and date of birth.
        sa.Index("ix_patients_identity", sa.text("lower(family_name)"), sa.text("lower(given_name)"),
                 "birth_date"),
    )

    id: uuid.UUID = uuid_pk()
    given_name: str = Field(max_length=100)
    family_name: str = Field(max_length=100)
    birth_date: date
    email: str | None = Field(default=None, max_length=254, index=True)
    phone: str | None = Field(default=None, max_length=32, index=True)
    preferred_language: str = Field(default="en", max_length=8)
    timezone: str = Field(default="Europe/London", max_length=64)
    created_at: datetime = timestamp()
