"""Access tokens for backend clients: a JWT (HS256, joserfc) signed with a key derived from
CLINIC_SECRET_KEY, naming the client and its granted scopes, valid five minutes. Prefixed
`smart.` so the API tells it from a staff or patient token at a glance; any route outside
/fhir takes it for an unknown patient link and refuses it (401)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

PREFIX = "smart."
LIFETIME = timedelta(minutes=5)
ALGORITHM = "HS256"
ISSUER = "ankle-triage-fhir"


@dataclass(frozen=True)
class Granted:
    client_id: uuid.UUID
    scopes: frozenset[str]


def is_access_token(token: str) -> bool:
    return token.startswith(PREFIX)


def _key(secret_key: str) -> OctKey:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"fhir smart backend access token").derive(secret_key.encode())
    return OctKey.import_key(derived)


def issue(secret_key: str, client_id: uuid.UUID, scopes: list[str], now: datetime) -> str:
    claims = {"iss": ISSUER, "sub": str(client_id), "scope": " ".join(scopes),
              "iat": int(now.timestamp()), "exp": int((now + LIFETIME).timestamp()),
              "jti": uuid.uuid4().hex}
    return PREFIX + jwt.encode({"alg": ALGORITHM}, claims, _key(secret_key))


def read(secret_key: str, token: str, now: datetime) -> Granted | None:
    """The grant a token carries; None when it is not ours, altered or expired."""
    try:
        decoded = jwt.decode(token.removeprefix(PREFIX), _key(secret_key),
                             algorithms=[ALGORITHM])
        jwt.JWTClaimsRegistry(now=int(now.timestamp()), iss={"essential": True,
                                                              "value": ISSUER},
                              exp={"essential": True}, sub={"essential": True}
                              ).validate(decoded.claims)
        return Granted(uuid.UUID(decoded.claims["sub"]),
                       frozenset(str(decoded.claims.get("scope", "")).split()))
    except (JoseError, ValueError, TypeError):
        return None
