from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

Name = Annotated[str, Field(min_length=1, max_length=100)]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9 ()-]{6,31}$")]


class PatientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    given_name: Name
    family_name: Name
    birth_date: date
    email: EmailStr | None = None
    phone: Phone | None = None
    preferred_language: Literal["en", "es"] = "en"
    timezone: str = "Europe/London"
    confirm_not_duplicate: bool = Field(
        False, description="Create the patient even though possible duplicates were reported"
    )

    @field_validator("birth_date")
    @classmethod
    def _not_in_future(cls, value: date) -> date:
        if value > date.today():
            raise ValueError("birth date cannot be in the future")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError(f"unknown time zone {value!r}")
        return value


class PatientPublic(BaseModel):
    id: uuid.UUID
    given_name: str
    family_name: str
    birth_date: date
    email: str | None
    phone: str | None
    preferred_language: str
    timezone: str
    created_at: datetime


class DuplicateCandidate(BaseModel):
    patient: PatientPublic
    matched_on: list[str]


class PatientCreated(BaseModel):
    patient: PatientPublic
    possible_duplicates: list[DuplicateCandidate] = []


class LinkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: Literal["intake", "case"] = "intake"


class PatientLinkIssued(BaseModel):
    token: str
    url: str
    expires_at: datetime
