"""Who is calling: the EHR's JWT, checked as CDS Hooks 2.0 ("Trusting CDS Clients") asks.

Every call carries `Authorization: Bearer <JWT>` signed by the EHR with an asymmetric key
(RS384 and ES384 are the ones the specification requires a service to support; the other RSA,
RSA-PSS and EC algorithms are accepted too, never `none` or a shared-secret HMAC). The header
names the key (`kid`); a `jku` (the URL of the EHR's JWK Set) is followed only when the admin
listed that exact URL for the issuer, otherwise the keys the admin registered are used. The
claims: `iss` an active registered issuer, `aud` exactly the URL called, `exp` at most five
minutes after `iat` and not passed, `iat` not in the future, and a `jti` never seen before
(remembered in Redis until the token expires). Signature and claims are checked by joserfc.

Refusals say what was wrong with the token, never its content, and nothing is logged.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import httpx
from cachetools import TTLCache
from fastapi import Request
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, RSAKey
from joserfc.jws import extract_compact
from joserfc.jwt import JWTClaimsRegistry
from redis.exceptions import RedisError
from sqlmodel import select

from shared.clock import utcnow
from shared.models import CdsIssuer

ALGORITHMS = ("RS384", "ES384", "RS256", "RS512", "ES256", "ES512", "PS256", "PS384", "PS512")
MAX_LIFETIME_SECONDS = 300  # "exp ... no later than 5 minutes in the future"
LEEWAY_SECONDS = 30  # clock skew between the EHR and us
JKU_CACHE_SECONDS = 300
REPLAY_KEY = "cds:jti:"


class Unauthorized(Exception):
    """401: the call is not from a trusted EHR, or the token cannot be used (again)."""


class ReplayStoreUnavailable(Exception):
    """Redis did not answer: a replayed token could not be told from a fresh one (503)."""


@dataclass(frozen=True)
class Caller:
    issuer: str
    subject: str | None
    jti: str


def audience(request: Request, path: str) -> str:
    """The exact URL a token for `path` (/cds-services/...) must name in `aud`."""
    settings = request.app.state.settings
    return (settings.cds_hooks_base_url or settings.public_url).rstrip("/") + path


async def authenticate(request: Request, path: str) -> Caller:
    token = _bearer(request)
    header, unverified = _unverified(token)
    alg, kid = header.get("alg"), header.get("kid")
    if alg not in ALGORITHMS:
        raise Unauthorized(f"the token must be signed with one of {', '.join(ALGORITHMS)}")
    if not isinstance(kid, str) or not kid:
        raise Unauthorized("the token's header must name its key (kid)")
    iss = unverified.get("iss")
    issuer = await _issuer(request, iss) if isinstance(iss, str) else None
    if issuer is None:
        raise Unauthorized("the token's issuer (iss) is not a registered EHR")
    key = await _key(request, issuer, header, kid)
    try:
        verified = jwt.decode(token, key, algorithms=ALGORITHMS)
    except JoseError:
        raise Unauthorized("the token's signature does not verify") from None
    claims = verified.claims
    _check_claims(claims, issuer.iss, audience(request, path))
    await _first_use(request, issuer.iss, claims["jti"], claims["exp"])
    sub = claims.get("sub")
    return Caller(issuer=issuer.iss, subject=sub if isinstance(sub, str) else None,
                  jti=claims["jti"])


def _bearer(request: Request) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send the EHR's signed JWT as Authorization: Bearer")
    return token.strip()


def _unverified(token: str) -> tuple[dict, dict]:
    """The header and claims before the signature is checked: only to find the key."""
    try:
        signed = extract_compact(token.encode())
        claims = json.loads(signed.payload)
    except (JoseError, ValueError, UnicodeError):
        raise Unauthorized("the token is not a compact JWS") from None
    if not isinstance(claims, dict):
        raise Unauthorized("the token's payload is not a JSON object")
    return dict(signed.headers()), claims


async def _issuer(request: Request, iss: str) -> CdsIssuer | None:
    async with request.app.state.session_factory() as session:
        return (await session.exec(select(CdsIssuer).where(
            CdsIssuer.iss == iss, CdsIssuer.is_active))).first()


async def _key(request: Request, issuer: CdsIssuer, header: dict, kid: str):
    jku = header.get("jku")
    if jku is not None:
        if jku not in issuer.jku_allowlist:
            raise Unauthorized("the token's jku is not on the issuer's allowlist")
        keys = await _fetched_key_set(request, jku)
    else:
        keys = issuer.jwks
    try:
        key = KeySet.import_key_set(keys).get_by_kid(kid)
    except (JoseError, ValueError, KeyError, TypeError):
        raise Unauthorized("no key of the issuer has the token's kid") from None
    if not isinstance(key, RSAKey | ECKey) or key.is_private:
        raise Unauthorized("the issuer's key must be a public RSA or EC key")
    return key


async def _fetched_key_set(request: Request, jku: str) -> dict:
    cache = request.app.state.__dict__.setdefault(
        "cds_jwks_cache", TTLCache(maxsize=64, ttl=JKU_CACHE_SECONDS))
    if jku in cache:
        return cache[jku]
    timeout = request.app.state.settings.cds_fetch_timeout_seconds
    try:
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            answer = await client.get(jku, headers={"Accept": "application/json"})
        answer.raise_for_status()
        keys = answer.json()
    except (httpx.HTTPError, ValueError):
        raise Unauthorized("the issuer's JWK Set (jku) could not be read") from None
    if not isinstance(keys, dict) or not isinstance(keys.get("keys"), list):
        raise Unauthorized("the issuer's jku is not a JWK Set")
    cache[jku] = keys
    return keys


def _check_claims(claims: dict, iss: str, aud: str) -> None:
    now = int(utcnow().timestamp())
    registry = JWTClaimsRegistry(
        now=now, leeway=LEEWAY_SECONDS, iss={"essential": True, "value": iss},
        aud={"essential": True, "value": aud}, exp={"essential": True},
        iat={"essential": True}, jti={"essential": True})
    try:
        registry.validate(claims)
    except JoseError as problem:
        claim = getattr(problem, "claim", None)
        raise Unauthorized(f"the token's claims are not acceptable"
                           f"{f' ({claim})' if claim else ''}") from None
    if not isinstance(claims["jti"], str) or not claims["jti"]:
        raise Unauthorized("the token needs a jti")
    if not isinstance(claims["iat"], int) or not isinstance(claims["exp"], int):
        raise Unauthorized("the token's iat and exp must be whole seconds")
    if claims["iat"] > now + LEEWAY_SECONDS:
        raise Unauthorized("the token was issued in the future (iat)")
    if claims["exp"] > now + MAX_LIFETIME_SECONDS + LEEWAY_SECONDS:
        raise Unauthorized("the token must expire within five minutes (exp)")


async def _first_use(request: Request, iss: str, jti: str, exp: int) -> None:
    """Remembers the jti until the token could no longer be used anyway; a second use of
    it is refused. The key is a digest: the jti is the client's text."""
    digest = hashlib.sha256(f"{iss}\n{jti}".encode()).hexdigest()
    ttl = max(exp - int(utcnow().timestamp()), 0) + LEEWAY_SECONDS
    try:
        first = await request.app.state.redis.set(REPLAY_KEY + digest, 1, nx=True, ex=ttl)
    except RedisError:
        raise ReplayStoreUnavailable() from None
    if not first:
        raise Unauthorized("this token was used before (jti)")
