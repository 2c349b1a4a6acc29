"""Signed, expiring links that let a patient reach their own records without a password.

A link token names one patient and one purpose (and optionally one case or follow-up). It is
signed with the secret key (itsdangerous, HMAC-SHA256) so it cannot be altered, and carries
its issue time so it expires. It holds ids only: a token in a URL must reveal nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "patient-link"
DEFAULT_LIFETIME = timedelta(days=14)


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


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def sign_link(secret_key: str, link: PatientLink, now: datetime | None = None) -> str:
    payload = {"p": str(link.patient_id), "u": link.purpose}
    if link.case_id:
        payload["c"] = str(link.case_id)
    if link.follow_up_id:
        payload["f"] = str(link.follow_up_id)
    serializer = _serializer(secret_key)
    if now is None:
        return serializer.dumps(payload)
    # itsdangerous stamps tokens with the real clock; tests and the clock offset need ours.
    serializer_at = _AtTime(secret_key, now)
    return serializer_at.dumps(payload)


def read_link(secret_key: str, token: str, max_age: timedelta = DEFAULT_LIFETIME,
              now: datetime | None = None) -> PatientLink:
    serializer = _AtTime(secret_key, now) if now else _serializer(secret_key)
    try:
        payload = serializer.loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as exc:
        raise ExpiredLink("this link has expired") from exc
    except BadSignature as exc:
        raise InvalidLink("this link is not valid") from exc
    try:
        return PatientLink(
            patient_id=uuid.UUID(payload["p"]),
            purpose=payload["u"],
            case_id=uuid.UUID(payload["c"]) if "c" in payload else None,
            follow_up_id=uuid.UUID(payload["f"]) if "f" in payload else None,
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidLink("this link is not valid") from exc


class _AtTime(URLSafeTimedSerializer):
    """A serializer whose clock is a given instant, so signing and expiry follow our clock."""

    def __init__(self, secret_key: str, now: datetime):
        super().__init__(secret_key, salt=SALT)
        self._now = int(now.timestamp())

    def make_signer(self, salt=None):
        signer = super().make_signer(salt)
        signer.get_timestamp = lambda: self._now
        return signer
