"""Systems that read the FHIR interface on their own behalf (SMART Backend Services): each
registered client's public keys and the scopes it may be granted, and the assertions it has
already used (a client assertion's `jti` is accepted once)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from shared.models.base import json_column, timestamp, uuid_pk


class BackendClient(SQLModel, table=True):
    __tablename__ = "backend_clients"

    id: uuid.UUID = uuid_pk()  # the client_id
    name: str = Field(max_length=100)
    # The client's public keys as a JWK Set ({"keys": [...]}); never a private key.
    jwks: dict[str, Any] = json_column()
    # What it may be granted, space-separated (system/Task.read system/Patient.read).
    scopes: str = Field(max_length=2000)
    is_active: bool = True
    created_at: datetime = timestamp()
    created_by: str = Field(max_length=64)


class ClientAssertionUse(SQLModel, table=True):
    """A client assertion's `jti`, kept until the assertion expires: a replay finds it."""

    __tablename__ = "client_assertion_uses"

    client_id: uuid.UUID = Field(foreign_key="backend_clients.id", primary_key=True)
    jti: str = Field(max_length=255, primary_key=True)
    expires_at: datetime = timestamp(index=True)
