"""Clinic staff accounts and their sign-in sessions (FHIR Practitioner / PractitionerRole)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from shared.models.base import foreign_key, timestamp, uuid_pk


class Role(StrEnum):
    PATIENT = "patient"  # never stored on a user: patients sign in through signed links
    FRONT_DESK = "front_desk"
    CLINICIAN = "clinician"
    ADMIN = "admin"


STAFF_ROLES = (Role.FRONT_DESK, Role.CLINICIAN, Role.ADMIN)


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: uuid.UUID = uuid_pk()
    email: str = Field(max_length=254, unique=True)
    display_name: str = Field(max_length=100)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=255)
    is_active: bool = True
    # Clinicians on duty receive emergency and waiting-time alerts.
    on_duty: bool = False
    created_at: datetime = timestamp()
    # Time-based one-time password (services/intake/auth/totp.py): the secret is stored
    # encrypted (Fernet, key derived from CLINIC_SECRET_KEY), never in clear and never logged.
    # A pending secret waits for its first code; the last used time step refuses a replay.
    totp_secret: str | None = Field(default=None, max_length=255)
    totp_pending_secret: str | None = Field(default=None, max_length=255)
    totp_last_step: int | None = Field(default=None, sa_type=BigInteger)

    @property
    def has_one_time_code(self) -> bool:
        return self.totp_secret is not None


class AuthSession(SQLModel, table=True):
    """A signed-in session. Only a hash of its token is stored, so a database leak signs no one in."""

    __tablename__ = "auth_sessions"

    id: uuid.UUID = uuid_pk()
    token_hash: str = Field(max_length=64, unique=True)
    user_id: uuid.UUID = foreign_key("users.id")
    created_at: datetime = timestamp()
    expires_at: datetime = timestamp()
    revoked_at: datetime | None = timestamp(nullable=True, default_now=False)
