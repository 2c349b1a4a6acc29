"""Signed, expiring links that let a patient reach their own records without a password.

A link token names one patient and one purpose (and optionally one case or follow-up). It is
signed with the secret key (itsdangerous, HMAC-SHA256) so it cannot be altered, and carries
its issue time so it expires. It holds ids only: a token in a URL must reveal nothing.

It also carries the patient's link generation when it was signed: staff revoking a patient's
links add one to the generation, and a link (or a page session opened with it) of an older
generation is refused (services/intake/auth/link_sessions.py checks on every use).

A link session is what a browser keeps instead of the link: the same contents, the link's id
(a digest, never the token) and its expiry, signed under another salt (so neither can stand in
for the other) and valid for a short while only.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "patient-link"
SESSION_SALT = "patient-link-session"
DEFAULT_LIFETIME = timedelta(days=14)
# Long enough to fill the pre-visit form on a phone (drafts survive in the browser anyway).
SESSION_LIFETIME = timedelta(hours=2)


class InvalidLink(Exception):
    """The link was altered, signed with another key, or is malformed."""


class ExpiredLink(InvalidLink):
    """The link was genuine but is too old."""


@dataclass(frozen=True)
class PatientLink:
    patient_id: uuid.UUID
    purpose: str  # "intake" | "case" | "check_in"
    case_id: uuid.UUID | None = None
    follow_up_id: uuid.UUID | None = None
    # The patient's link generation when it was signed (links from before revocation: 0).
    generation: int = 0
    # Set when read, and not part of what the link says: the link's own id (link_id) and when
    # it expires. A link session carries them over from the link it was opened with.
    link_id: str | None = field(default=None, compare=False)
    expires_at: datetime | None = field(default=None, compare=False)


class RevokedLink(InvalidLink):
    """Staff revoked the patient's links after this one was issued."""


def link_id(token: str) -> str:
    """Names one link (the case it opens is keyed by it) without being able to act as it."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def _serializer(secret_key: str, salt: str = SALT) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=salt)


def _payload(link: PatientLink) -> dict:
    payload = {"p": str(link.patient_id), "u": link.purpose}
    if link.case_id:
        payload["c"] = str(link.case_id)
    if link.follow_up_id:
        payload["f"] = str(link.follow_up_id)
    if link.generation:
        payload["g"] = link.generation
    return payload


def _dumps(secret_key: str, payload: dict, now: datetime | None, salt: str) -> str:
    if now is None:
        return _serializer(secret_key, salt).dumps(payload)
    # itsdangerous stamps tokens with the real clock; tests and the clock offset need ours.
    return _AtTime(secret_key, now, salt).dumps(payload)


def _loads(secret_key: str, token: str, max_age: timedelta, now: datetime | None,
           salt: str) -> tuple[dict, datetime]:
    serializer = _AtTime(secret_key, now, salt) if now else _serializer(secret_key, salt)
    try:
        return serializer.loads(token, max_age=int(max_age.total_seconds()),
                                return_timestamp=True)
    except SignatureExpired as exc:
        raise ExpiredLink("this link has expired") from exc
    except BadSignature as exc:
        raise InvalidLink("this link is not valid") from exc


def _link_of(payload: dict, **read: object) -> PatientLink:
    try:
        return PatientLink(
            patient_id=uuid.UUID(payload["p"]),
            purpose=payload["u"],
            case_id=uuid.UUID(payload["c"]) if "c" in payload else None,
            follow_up_id=uuid.UUID(payload["f"]) if "f" in payload else None,
            generation=int(payload.get("g", 0)),
            **read,
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidLink("this link is not valid") from exc


def sign_link(secret_key: str, link: PatientLink, now: datetime | None = None) -> str:
    return _dumps(secret_key, _payload(link), now, SALT)


def read_link(secret_key: str, token: str, max_age: timedelta = DEFAULT_LIFETIME,
              now: datetime | None = None) -> PatientLink:
    payload, signed_at = _loads(secret_key, token, max_age, now, SALT)
    return _link_of(payload, link_id=link_id(token), expires_at=signed_at + max_age)


def sign_link_session(secret_key: str, link: PatientLink, now: datetime | None = None) -> str:
    """The page session a browser keeps instead of `link` (a link as `read_link` returns it)."""
    payload = {**_payload(link), "l": link.link_id,
               "x": int(link.expires_at.timestamp()) if link.expires_at else None}
    return _dumps(secret_key, payload, now, SESSION_SALT)


def read_link_session(secret_key: str, value: str, now: datetime | None = None) -> PatientLink:
    """The link a session was opened with; it ends after SESSION_LIFETIME or with the link."""
    payload, _signed_at = _loads(secret_key, value, SESSION_LIFETIME, now, SESSION_SALT)
    expires_at = datetime.fromtimestamp(payload["x"], UTC) if payload.get("x") else None
    if expires_at is not None and expires_at <= (now or datetime.now(UTC)):
        raise ExpiredLink("this link has expired")
    return _link_of(payload, link_id=payload.get("l"), expires_at=expires_at)


def session_lifetime(link: PatientLink, now: datetime) -> timedelta:
    """How long the browser should keep a session: never past the link's own expiry."""
    if link.expires_at is None:
        return SESSION_LIFETIME
    return max(timedelta(0), min(SESSION_LIFETIME, link.expires_at - now))


class _AtTime(URLSafeTimedSerializer):
    """A serializer whose clock is a given instant, so signing and expiry follow our clock."""

    def __init__(self, secret_key: str, now: datetime, salt: str = SALT):
        super().__init__(secret_key, salt=salt)
        self._now = int(now.timestamp())

    def make_signer(self, salt=None):
        signer = super().make_signer(salt)
        signer.get_timestamp = lambda: self._now
        return signer
