"""Staff one-time codes in the database: enrolment, codes used once, and sign-in tickets.

A ticket carries a sign-in from its password step to its code step (the sign-in page, an
admin's first sign-in): signed, five minutes long, naming the user and the step, and void once
the password changes. It proves the password only; the code still has to be right.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import or_, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.auth import totp
from shared.models import User

TICKET_LIFETIME = timedelta(minutes=5)
CODE_STEP, ENROL_STEP = "code", "enrol"


class InvalidTicket(Exception):
    """Altered, expired, for another step, or the password has changed since."""


@dataclass(frozen=True)
class Enrolment:
    secret: str
    otpauth_uri: str
    qr_svg: str


def requires_code(user: User) -> bool:
    return user.totp_secret is not None


def must_enrol(user: User) -> bool:
    """Admins may not sign in on a password alone."""
    return user.role == "admin" and user.totp_secret is None


def start_enrolment(user: User, secret_key: str) -> Enrolment:
    """A new pending secret (replacing any earlier one), shown to the user once; the caller
    commits. It becomes the account's secret when a first code from it is confirmed."""
    secret = totp.new_secret()
    user.totp_pending_secret = totp.encrypt(secret_key, secret)
    uri = totp.provisioning_uri(secret, user.email)
    return Enrolment(secret=secret, otpauth_uri=uri, qr_svg=totp.qr_svg(uri))


def confirm_enrolment(user: User, code: str, now: datetime, secret_key: str) -> bool:
    if user.totp_pending_secret is None:
        return False
    try:
        secret = totp.decrypt(secret_key, user.totp_pending_secret)
    except totp.UnreadableSecret:
        return False
    step = totp.matching_step(secret, code, now)
    if step is None:
        return False
    user.totp_secret, user.totp_pending_secret = user.totp_pending_secret, None
    user.totp_last_step = step  # the confirming code is used
    return True


async def accept_code(session: AsyncSession, user: User, code: str, now: datetime,
                      secret_key: str) -> bool:
    """True once per code: the step is claimed with a conditional UPDATE, so the same code
    sent twice, even at the same moment to two API processes, signs in only once."""
    if user.totp_secret is None:
        return False
    try:
        secret = totp.decrypt(secret_key, user.totp_secret)
    except totp.UnreadableSecret:
        return False
    step = totp.matching_step(secret, code, now)
    if step is None:
        return False
    claimed = await session.execute(
        update(User).where(col(User.id) == user.id,
                           or_(col(User.totp_last_step).is_(None), col(User.totp_last_step) < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False))
    return claimed.rowcount == 1


def issue_ticket(secret_key: str, user: User, step: str, now: datetime) -> str:
    payload = {"u": str(user.id), "s": step, "h": _fingerprint(user)}
    return _AtTime(secret_key, now).dumps(payload)


def read_ticket(secret_key: str, ticket: str, step: str, now: datetime) -> tuple[uuid.UUID, str]:
    """The user id and password fingerprint the ticket names; check the fingerprint with
    `ticket_matches` once the user is loaded."""
    try:
        payload = _AtTime(secret_key, now).loads(
            ticket, max_age=int(TICKET_LIFETIME.total_seconds()))
        if payload["s"] != step:
            raise InvalidTicket("this sign-in step is not valid")
        return uuid.UUID(payload["u"]), str(payload["h"])
    except (BadSignature, KeyError, ValueError, TypeError) as exc:
        raise InvalidTicket("this sign-in step is not valid") from exc


def ticket_matches(user: User | None, fingerprint: str) -> bool:
    return user is not None and user.is_active and _fingerprint(user) == fingerprint


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


class _AtTime(URLSafeTimedSerializer):
    """Signs and checks age by the given instant, so tickets follow the clinic's clock."""

    def __init__(self, secret_key: str, now: datetime):
        super().__init__(secret_key, salt="staff-sign-in-ticket")
        self._now = int(now.timestamp())

    def make_signer(self, salt=None):
        signer = super().make_signer(salt)
        signer.get_timestamp = lambda: self._now  # stamps and ages by our instant
        return signer
