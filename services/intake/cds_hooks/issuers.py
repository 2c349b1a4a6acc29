"""Which EHRs may call the CDS Hooks services: admins register each issuer (`iss`) with its
public keys (a JWK Set) and the JWK Set URLs (`jku`) its tokens may name.

Only public RSA or EC keys with a `kid` are taken: a private key, a symmetric (`oct`) key or a
key without a kid is refused, so a token can never be checked with a shared secret.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, status
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from services.intake.auth.dependencies import requires
from services.intake.auth.permissions import Permission
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.errors import Conflict, NotFound
from shared.audit import record_audit
from shared.clock import utcnow
from shared.models import CdsIssuer

router = APIRouter(prefix="/cds-issuers", tags=["CDS Hooks issuers"])
Admin = requires(Permission.MANAGE_CDS_ISSUERS)
PUBLIC_KEY_TYPES = {"RSA", "EC"}
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


def checked_jwks(value: dict[str, Any]) -> dict[str, Any]:
    keys = value.get("keys")
    if not isinstance(keys, list):
        raise ValueError("jwks must be a JWK Set: {\"keys\": [...]}")  # noqa: TRY004 - pydantic
    for key in keys:
        if not isinstance(key, dict) or key.get("kty") not in PUBLIC_KEY_TYPES:
            raise ValueError("each key must be an RSA or EC key")
        if PRIVATE_MEMBERS & key.keys():
            raise ValueError("give public keys only")
        if not isinstance(key.get("kid"), str) or not key["kid"]:
            raise ValueError("each key needs a kid")
    try:
        if keys:  # none: the issuer's tokens name a jku on its allowlist
            KeySet.import_key_set(value)
    except (JoseError, ValueError, TypeError, KeyError):
        raise ValueError("a key of the set cannot be read") from None
    return {"keys": keys}


Jku = Annotated[AnyHttpUrl, Field(description="A JWK Set URL tokens may name, exactly")]


class IssuerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    iss: Annotated[str, Field(min_length=1, max_length=255)]
    name: Annotated[str, Field(min_length=1, max_length=120)]
    jwks: dict[str, Any] = Field(default_factory=lambda: {"keys": []})
    jku_allowlist: list[Jku] = Field(default_factory=list, max_length=20)

    @field_validator("jwks")
    @classmethod
    def _jwks(cls, value):
        return checked_jwks(value)


class IssuerUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=120)] | None = None
    jwks: dict[str, Any] | None = None
    jku_allowlist: list[Jku] | None = Field(default=None, max_length=20)
    is_active: bool | None = None

    @field_validator("jwks")
    @classmethod
    def _jwks(cls, value):
        return None if value is None else checked_jwks(value)


class IssuerPublic(BaseModel):
    id: uuid.UUID
    iss: str
    name: str
    jwks: dict[str, Any]
    jku_allowlist: list[str]
    is_active: bool
    created_at: datetime
    updated_at: datetime


@router.post("", status_code=status.HTTP_201_CREATED, response_model=IssuerPublic,
             responses={409: {"description": "This iss is registered already"}})
async def register_issuer(data: IssuerCreate, session: SessionDep, admin: Admin,
                          request_id: RequestIdDep) -> IssuerPublic:
    issuer = CdsIssuer(iss=data.iss, name=data.name, jwks=data.jwks,
                       jku_allowlist=[str(url) for url in data.jku_allowlist])
    session.add(issuer)
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("an issuer with this iss is registered; update it instead",
                       field="body.iss") from None
    record_audit(session, admin.actor, "create", "CdsIssuer", issuer.id, patient_id=None,
                 request_id=request_id)
    return IssuerPublic.model_validate(issuer, from_attributes=True)


@router.get("", response_model=list[IssuerPublic])
async def list_issuers(session: SessionDep, _admin: Admin) -> list[IssuerPublic]:
    issuers = (await session.exec(select(CdsIssuer).order_by(col(CdsIssuer.iss)))).all()
    return [IssuerPublic.model_validate(i, from_attributes=True) for i in issuers]


@router.patch("/{issuer_id}", response_model=IssuerPublic,
              responses={404: {"description": "No such issuer"}})
async def update_issuer(issuer_id: uuid.UUID, data: IssuerUpdate, session: SessionDep,
                        admin: Admin, request_id: RequestIdDep) -> IssuerPublic:
    issuer = await session.get(CdsIssuer, issuer_id)
    if issuer is None:
        raise NotFound(f"no issuer with id {issuer_id}", field="path.issuer_id")
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "jku_allowlist" in changes:
        changes["jku_allowlist"] = [str(url) for url in data.jku_allowlist or []]
    for name, value in changes.items():
        setattr(issuer, name, value)
    issuer.updated_at = utcnow()
    session.add(issuer)
    record_audit(session, admin.actor, "update", "CdsIssuer", issuer.id, patient_id=None,
                 request_id=request_id)
    return IssuerPublic.model_validate(issuer, from_attributes=True)
