from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # Not validated as an address: a malformed one must get the same answer as a wrong one.
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)
    # The current 6-digit code, for an account that has set one up (else refused as missing).
    code: str | None = Field(None, max_length=16)


class SignedIn(BaseModel):
    """A staff member's open session: what signing in answers, and what each API process
    remembers of a token for a moment (signed_in_cache.py)."""

    model_config = ConfigDict(frozen=True)

    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime  # the session's own
    user_id: uuid.UUID
    role: str
    display_name: str


class Me(BaseModel):
    role: str
    user_id: uuid.UUID | None
    patient_id: uuid.UUID | None


class CodeRequired(BaseModel):
    """401 when the password was right but the account's one-time code is missing or wrong:
    send the sign-in again with `code`."""

    detail: str
    code_required: Literal[True] = True


class EnrolmentRequired(BaseModel):
    """403 for an admin whose account has no one-time code yet: add `otpauth_uri` (or the
    `secret`) to an authenticator app and confirm with POST /auth/sign-in/enrol. Shown once."""

    detail: str
    enrolment_token: str
    otpauth_uri: str
    secret: str


class EnrolmentConfirmation(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    enrolment_token: str = Field(min_length=1, max_length=1024)
    code: str = Field(min_length=1, max_length=16)


class OneTimeCodeSetup(BaseModel):
    """The new secret, shown this once; it takes effect when a first code confirms it."""

    otpauth_uri: str
    secret: str


class OneTimeCode(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=16)
