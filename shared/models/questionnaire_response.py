"""What the FHIR interface keeps about questionnaire responses beyond intake_responses.

- QuestionnaireResponseDraft: an `in-progress` response saved on the server, resumable from
  any device until the completed form is sent (which removes it).
- ResponseIdentifier: the identifier a client gave a completed response; unique, so a
  conditional create (If-None-Exist: identifier=...) that races its twin opens one case.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.models.base import foreign_key, json_column, timestamp, uuid_pk

RESPONSE_IDENTIFIER_KEY = "uq_response_identifiers_system_value"


class QuestionnaireResponseDraft(SQLModel, table=True):
    __tablename__ = "response_drafts"

    id: uuid.UUID = uuid_pk()
    patient_id: uuid.UUID = foreign_key("patients.id")
    questionnaire: str = Field(max_length=64)
    questionnaire_version: str = Field(max_length=16)
    # The response's items as the client sent them (checked against the questionnaire's
    # questions and answer types, not for completeness).
    items: list[Any] = json_column()
    author_id: str = Field(max_length=80)  # the actor who saved it last
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp(index=True)


class ResponseIdentifier(SQLModel, table=True):
    __tablename__ = "response_identifiers"
    __table_args__ = (sa.UniqueConstraint("system", "value", name=RESPONSE_IDENTIFIER_KEY),)

    id: uuid.UUID = uuid_pk()
    intake_response_id: uuid.UUID = foreign_key("intake_responses.id")
    system: str = Field(default="", max_length=255)
    value: str = Field(max_length=255)
