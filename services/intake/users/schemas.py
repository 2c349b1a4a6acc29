from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, EmailStr, Field

from services.intake.auth.passwords import MIN_PASSWORD_LENGTH

StaffRole = Literal["front_desk", "clinician", "admin"]
Password = Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: EmailStr
    display_name: Annotated[str, Field(min_length=1, max_length=100)]
    role: StaffRole
    password: Password


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    display_name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    role: StaffRole | None = None
    is_active: bool | None = None
    on_duty: bool | None = None
    password: Password | None = None
    # True clears the account's one-time code (a lost authenticator) and ends its sessions.
    reset_one_time_code: bool | None = None


class UserPublic(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str
    role: str
    is_active: bool
    on_duty: bool
    created_at: datetime
    # Whether sign-in asks this account for a one-time code.
    one_time_code: bool = Field(False, validation_alias=AliasChoices("one_time_code",
                                                                     "has_one_time_code"))
