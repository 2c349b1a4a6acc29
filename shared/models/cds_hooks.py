"""What the CDS Hooks service keeps (services/intake/cds_hooks).

- CdsIssuer: an EHR allowed to call the hooks, configured by an admin: its `iss`, its public
  keys (a JWK Set, public keys only) and the `jku` addresses its tokens may name.
- CdsCard: each card the service returned, so feedback (which names only the card's uuid) can
  be tied to the service, the issuer, the case and the engine decision it stands beside.
- CdsFeedback: what the clinician did with a card in the EHR (accepted, or overridden with a
  reason and comment); one row per card and outcome.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from shared.models.base import json_column, timestamp, uuid_pk


class CdsIssuer(SQLModel, table=True):
    __tablename__ = "cds_issuers"

    id: uuid.UUID = uuid_pk()
    iss: str = Field(max_length=255, unique=True)
    name: str = Field(max_length=120)
    # A JWK Set ({"keys": [...]}) of public RSA or EC keys; empty when only jku is used.
    jwks: dict[str, Any] = json_column()
    # The only JWK Set URLs a token's jku header may name, matched exactly.
    jku_allowlist: list[str] = Field(default_factory=list,
                                     sa_column=sa.Column(JSONB, nullable=False))
    is_active: bool = True
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class CdsCard(SQLModel, table=True):
    __tablename__ = "cds_cards"

    id: uuid.UUID = uuid_pk()  # the card's uuid as the EHR sees it
    service_id: str = Field(max_length=64)
    hook: str = Field(max_length=64)
    hook_instance: str = Field(max_length=64)
    issuer: str = Field(max_length=255)
    patient_id: uuid.UUID | None = Field(default=None, index=True)  # when the patient is ours
    case_id: uuid.UUID | None = Field(default=None, foreign_key="cases.id", index=True)
    # The engine decision of the case the advice stands beside (the case's current one).
    decision_id: uuid.UUID | None = Field(default=None, foreign_key="triage_decisions.id")
    indicator: str = Field(max_length=16)
    # What the card advised, without patient data: queue, urgency, rule ids, Ottawa verdict.
    advice: dict[str, Any] = json_column()
    suggestion_ids: list[str] = Field(default_factory=list,
                                      sa_column=sa.Column(JSONB, nullable=False))
    created_at: datetime = timestamp()


class CdsFeedback(SQLModel, table=True):
    __tablename__ = "cds_feedback"
    __table_args__ = (
        # An EHR that sends the same feedback twice records it once.
        sa.UniqueConstraint("card_id", "outcome", name="uq_cds_feedback_card_outcome"),
    )

    id: uuid.UUID = uuid_pk()
    card_id: uuid.UUID = Field(foreign_key="cds_cards.id", index=True)
    service_id: str = Field(max_length=64)
    case_id: uuid.UUID | None = Field(default=None, foreign_key="cases.id", index=True)
    decision_id: uuid.UUID | None = Field(default=None, foreign_key="triage_decisions.id")
    outcome: str = Field(max_length=16)  # accepted | overridden
    accepted_suggestions: list[str] = Field(default_factory=list,
                                            sa_column=sa.Column(JSONB, nullable=False))
    override_reason_system: str | None = Field(default=None, max_length=255)
    override_reason_code: str | None = Field(default=None, max_length=64)
    override_reason_display: str | None = Field(default=None, max_length=255)
    user_comment: str | None = Field(default=None, max_length=2000)
    issuer: str = Field(max_length=255)
    user_id: str | None = Field(default=None, max_length=255)  # the EHR user, as the EHR names
    outcome_at: datetime = timestamp()
    received_at: datetime = timestamp()
