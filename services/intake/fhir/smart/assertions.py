"""Checks a client's JWT assertion (RFC 7523, as SMART Backend Services profiles it) with
joserfc: signed RS384 or ES384 by one of the client's registered public keys, `iss` and `sub`
the client's id, `aud` the token endpoint, `exp` in the future and at most five minutes ahead,
a `jti` (the caller makes sure it is used once)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

ALGORITHMS = ("RS384", "ES384")
LONGEST_LIFETIME_SECONDS = 300
LEEWAY_SECONDS = 30


class AssertionRefused(Exception):
    """Why the assertion is not accepted (said to the client: it names no secret)."""


@dataclass(frozen=True)
class Assertion:
    client_id: uuid.UUID
    jti: str
    expires_at: datetime


def claimed_client(assertion: str) -> uuid.UUID:
    """The client the assertion says it comes from, before anything is verified: only to find
    the keys to verify it with."""
    try:
        claims = json.loads(jws.extract_compact(assertion.encode()).payload)
        return uuid.UUID(str(claims["iss"]))
    except (JoseError, ValueError, KeyError, TypeError, AttributeError):
        raise AssertionRefused("client_assertion is not a JWT naming its client in iss") \
            from None


def verify(assertion: str, client_id: uuid.UUID, jwks: dict, audiences: list[str],
           now: datetime) -> Assertion:
    try:
        keys = KeySet.import_key_set(jwks)
        token = jwt.decode(assertion, keys, algorithms=list(ALGORITHMS))
    except JoseError:
        raise AssertionRefused("client_assertion's signature does not verify with the "
                               "client's registered keys (RS384 or ES384)") from None
    except (ValueError, TypeError):
        raise AssertionRefused("client_assertion could not be read") from None
    timestamp = int(now.timestamp())
    registry = jwt.JWTClaimsRegistry(
        now=timestamp, leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": str(client_id)},
        sub={"essential": True, "value": str(client_id)},
        aud={"essential": True, "values": audiences},
        exp={"essential": True}, jti={"essential": True})
    try:
        registry.validate(token.claims)
    except JoseError as refused:
        raise AssertionRefused(f"client_assertion refused: {refused.error}"
                               f"{' (' + refused.description + ')' if refused.description else ''}"
                               ) from None
    expires = int(token.claims["exp"])
    if expires > timestamp + LONGEST_LIFETIME_SECONDS + LEEWAY_SECONDS:
        raise AssertionRefused("client_assertion's exp may be at most five minutes ahead")
    jti = token.claims["jti"]
    if not isinstance(jti, str) or not 0 < len(jti) <= 255:
        raise AssertionRefused("client_assertion's jti must be a string of at most 255 "
                               "characters")
    return Assertion(client_id, jti, datetime.fromtimestamp(expires, UTC))
