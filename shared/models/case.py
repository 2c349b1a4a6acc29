"""One episode of ankle or lower-leg pain, and what was recorded about it.

- Case                ~ FHIR EpisodeOfCare
- IntakeResponse      ~ FHIR QuestionnaireResponse (answers to a versioned questionnaire)
- Observation         ~ FHIR Observation (one coded exam finding each)
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.models.base import foreign_key, json_column, timestamp, uuid_pk


class CaseStatus(StrEnum):
    AWAITING_TRIAGE = "awaiting_triage"
    ROUTED = "routed"
    CLOSED = "closed"


OPEN_CASE_PER_LINK = "uq_cases_open_per_link"


class Case(SQLModel, table=True):
    __tablename__ = "cases"
    __table_args__ = (
        # One open pre-visit case per patient link: a second submission through the same link
        # is refused by this key, whatever races (services/intake/cases/service.py).
        sa.Index(OPEN_CASE_PER_LINK, "opened_by_link", unique=True,
                 postgresql_where=sa.text(f"status <> '{CaseStatus.CLOSED.value}'")),
    )

    id: uuid.UUID = uuid_pk()
    patient_id: uuid.UUID = foreign_key("patients.id")
    status: str = Field(default=CaseStatus.AWAITING_TRIAGE, max_length=32, index=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    # The patient link the case was opened through (shared/patient_links.link_id: a digest,
    # never the token); None when staff opened it.
    opened_by_link: str | None = Field(default=None, max_length=64)


class IntakeResponse(SQLModel, table=True):
    __tablename__ = "intake_responses"

    id: uuid.UUID = uuid_pk()
    case_id: uuid.UUID = foreign_key("cases.id")
    questionnaire: str = Field(max_length=64)
    questionnaire_version: str = Field(max_length=16)
    status: str = Field(default="completed", max_length=16)
    source: str = Field(default="patient", max_length=16)
    answers: dict[str, Any] = json_column()
    authored_at: datetime = timestamp()
    # The check-in this answers. Unique: a check-in link answers once, whatever races.
    follow_up_id: uuid.UUID | None = Field(default=None, foreign_key="follow_ups.id",
                                           unique=True)


class Observation(SQLModel, table=True):
    __tablename__ = "observations"

    id: uuid.UUID = uuid_pk()
    case_id: uuid.UUID = foreign_key("cases.id")
    # Findings recorded together in one examination share an exam_id.
    exam_id: uuid.UUID = Field(index=True)
    code: str = Field(max_length=64)
    value: Any = json_column()
    status: str = Field(default="final", max_length=16)
    effective_at: datetime = timestamp()
    recorded_by: str | None = Field(default=None, max_length=64)


class CaseNote(SQLModel, table=True):
    """A clinician's note on a case (FHIR Annotation on the EpisodeOfCare)."""

    __tablename__ = "case_notes"

    id: uuid.UUID = uuid_pk()
    case_id: uuid.UUID = foreign_key("cases.id")
    author_id: str = Field(max_length=64)
    text: str = Field(max_length=4000)
    created_at: datetime = timestamp()
