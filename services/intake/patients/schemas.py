from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from shared.clinical_record import Sex
from shared.models.patient import GENERATED_PATTERN

Name = Annotated[str, Field(min_length=1, max_length=100)]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9 ()-]{6,31}$")]
RecordNumber = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9/-]+$",
                                    description="The clinic's record number (MRN), when the "
                                    "patient already has one; otherwise one is generated")]


class PatientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    given_name: Name
    family_name: Name
    birth_date: date
    sex: Sex = Field(Sex.UNKNOWN, description="Administrative gender (FHIR Patient.gender)")
    record_number: RecordNumber | None = None
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

    @field_validator("record_number")
    @classmethod
    def _not_a_generated_number(cls, value: str | None) -> str | None:
        # Generated numbers come from a sequence; a given one in their shape could take a
        # number the sequence will hand out later.
        if value is not None and re.match(GENERATED_PATTERN, value):
            raise ValueError("numbers of the form MRN0000000 are given out by the clinic "
                             "system; leave record_number out to get one")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError("unknown time zone: give an IANA name such as Europe/London")
        return value


class PatientPublic(BaseModel):
    id: uuid.UUID
    given_name: str
    family_name: str
    birth_date: date
    sex: str
    record_number: str
    email: str | None
    phone: str | None
    preferred_language: str
    timezone: str
    created_at: datetime


class PatientIdentity(BaseModel):
    """Who a case is about, as every staff page about it shows: full name and date of birth
    (the two identifiers), with age, sex and the clinic's record number."""

    patient_id: uuid.UUID
    given_name: str
    family_name: str
    birth_date: date
    age_years: int
    sex: str
    record_number: str


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


class LinksRevoked(BaseModel):
    patient_id: uuid.UUID
    revoked_at: datetime
