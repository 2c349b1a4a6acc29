"""Registering backend clients (an admin's job, from the command line: `clinic fhir-clients`).
A client is registered with its public keys (a JWK Set; a private key is refused) and the
read scopes it may be granted."""

from __future__ import annotations

import uuid

from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import Engine
from sqlmodel import select

from services.intake.fhir.smart import scopes as scope_rules
from shared.db import sync_session
from shared.models import BackendClient

KEY_TYPES = {"RSA", "EC"}


class InvalidRegistration(ValueError):
    pass


def checked_jwks(jwks: object) -> dict:
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list) or \
            not jwks["keys"]:
        raise InvalidRegistration('the keys must be a JWK Set: {"keys": [...]}')
    for key in jwks["keys"]:
        if not isinstance(key, dict) or key.get("kty") not in KEY_TYPES:
            raise InvalidRegistration("each key must be an RSA or EC public key")
        if "d" in key:
            raise InvalidRegistration("a private key was given: register the public key only")
    try:
        KeySet.import_key_set(jwks)
    except (JoseError, ValueError, TypeError) as invalid:
        raise InvalidRegistration(f"the JWK Set could not be read: {invalid}") from None
    return jwks


def checked_scopes(scopes: list[str]) -> str:
    wrong = [s for s in scopes if not scope_rules.is_grantable(s)]
    if wrong or not scopes:
        raise InvalidRegistration("scopes must be system read scopes such as system/Task.read "
                                  f"or system/*.read; not {', '.join(wrong) or 'none'}")
    return " ".join(dict.fromkeys(scopes))


def register(engine: Engine, name: str, jwks: object, scopes: list[str],
             created_by: str = "cli") -> uuid.UUID:
    client = BackendClient(name=name[:100], jwks=checked_jwks(jwks),
                           scopes=checked_scopes(scopes), created_by=created_by)
    with sync_session(engine) as session, session.begin():
        session.add(client)
    return client.id


def set_active(engine: Engine, client_id: uuid.UUID, active: bool) -> bool:
    with sync_session(engine) as session, session.begin():
        client = session.get(BackendClient, client_id)
        if client is None:
            return False
        client.is_active = active
    return True


def listed(engine: Engine) -> list[BackendClient]:
    with sync_session(engine) as session:
        return list(session.exec(select(BackendClient).order_by(BackendClient.created_at)))
