"""Signing staff in and out, shared by the API (auth/router.py) and the sign-in pages.

The answer never hints whether an account exists: a wrong password, an unknown address and a
disabled account all get the same message, and failures count for unknown addresses too.
Failures slow down the address they come from (rate_limit.py), never the account itself.

An account with a one-time code (second_factor.py) needs its current code as well; an admin
without one is led to set it up before any session opens.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi import Request, Response
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.auth import rate_limit, second_factor, sessions
from services.intake.auth.dependencies import CSRF_COOKIE, PATIENT_COOKIE, SESSION_COOKIE
from services.intake.auth.passwords import verify_password
from services.intake.auth.schemas import SignedIn
from services.intake.auth.second_factor import Enrolment, InvalidTicket
from shared.clock import utcnow
from shared.models import User

SESSION_LIFETIME = timedelta(hours=12)
WRONG_CREDENTIALS = "Email or password is incorrect."
CODE_NEEDED = "Enter the 6-digit code from your authenticator app."
WRONG_CODE = "That code is not right, or it was already used. Enter the current code."
ENROL_NEEDED = ("Admin accounts need a one-time code. Add this account to an authenticator "
                "app, then enter the 6-digit code it shows.")
STEP_EXPIRED = "This sign-in has expired. Start again with your email and password."


class SignInRefused(Exception):
    def __init__(self, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after  # set when slowed down: seconds until another try


class CodeNeeded(Exception):
    """The password was right; the account's one-time code is missing or wrong."""

    def __init__(self, message: str, ticket: str):
        super().__init__(message)
        self.message, self.ticket = message, ticket


class EnrolmentNeeded(Exception):
    """An admin's password was right, but the account has no one-time code yet. The pending
    secret in `enrolment` must be committed before the answer goes out."""

    def __init__(self, ticket: str, enrolment: Enrolment):
        super().__init__(ENROL_NEEDED)
        self.message, self.ticket, self.enrolment = ENROL_NEEDED, ticket, enrolment


def clock(request: Request) -> Callable[[], datetime]:
    """The clock of the sign-in limits and one-time codes; tests set `app.state.clock`."""
    return getattr(request.app.state, "clock", utcnow)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _refuse_if_slowed(request: Request, email: str, now: datetime) -> None:
    redis, limits = request.app.state.redis, request.app.state.sign_in_limits
    wait = await rate_limit.seconds_to_wait(redis, email, _address(request), limits,
                                            now.timestamp())
    if wait:
        raise SignInRefused(rate_limit.wait_message(wait), retry_after=wait)


async def _count_failure(request: Request, email: str, now: datetime) -> None:
    await rate_limit.record_failure(request.app.state.redis, email, _address(request),
                                    request.app.state.sign_in_limits, now.timestamp())


async def authenticate(request: Request, session: AsyncSession, email: str, password: str,
                       code: str | None = None) -> SignedIn:
    """Checks the password (and code) under the sign-in limits and opens a session (the caller
    commits). Raises SignInRefused, CodeNeeded or EnrolmentNeeded."""
    now = clock(request)()
    await _refuse_if_slowed(request, email, now)
    user = (await session.exec(select(User).where(
        func.lower(User.email) == email.lower()))).first()
    valid = verify_password(user.password_hash if user else None, password)
    if not (valid and user and user.is_active):
        await _count_failure(request, email, now)
        raise SignInRefused(WRONG_CREDENTIALS)
    return await _second_step(request, session, user, code, now)


async def continue_with_code(request: Request, session: AsyncSession, ticket: str,
                             code: str) -> SignedIn:
    """The sign-in page's code step: the ticket stands for the password already checked."""
    now = clock(request)()
    user = await _ticket_user(request, session, ticket, second_factor.CODE_STEP, now)
    await _refuse_if_slowed(request, user.email, now)
    return await _second_step(request, session, user, code, now)


async def finish_enrolment(request: Request, session: AsyncSession, ticket: str,
                           code: str) -> SignedIn:
    """An admin's first sign-in: the first code from the new secret confirms it."""
    now = clock(request)()
    user = await _ticket_user(request, session, ticket, second_factor.ENROL_STEP, now)
    await _refuse_if_slowed(request, user.email, now)
    if not second_factor.confirm_enrolment(user, code, now, _secret_key(request)):
        await _count_failure(request, user.email, now)
        raise CodeNeeded(WRONG_CODE, ticket)
    session.add(user)
    return await _open(request, session, user)


async def _second_step(request: Request, session: AsyncSession, user: User, code: str | None,
                       now: datetime) -> SignedIn:
    key = _secret_key(request)
    if second_factor.requires_code(user):
        ticket = second_factor.issue_ticket(key, user, second_factor.CODE_STEP, now)
        if not code:
            raise CodeNeeded(CODE_NEEDED, ticket)
        if not await second_factor.accept_code(session, user, code, now, key):
            await _count_failure(request, user.email, now)
            raise CodeNeeded(WRONG_CODE, ticket)
    elif second_factor.must_enrol(user):
        enrolment = second_factor.start_enrolment(user, key)
        session.add(user)
        raise EnrolmentNeeded(second_factor.issue_ticket(key, user, second_factor.ENROL_STEP,
                                                         now), enrolment)
    return await _open(request, session, user)


async def _open(request: Request, session: AsyncSession, user: User) -> SignedIn:
    await rate_limit.clear_pair(request.app.state.redis, user.email, _address(request))
    token, row = await sessions.open_session(session, user, utcnow(), SESSION_LIFETIME)
    return SignedIn(token=token, expires_at=row.expires_at, user_id=user.id, role=user.role,
                    display_name=user.display_name)


async def _ticket_user(request: Request, session: AsyncSession, ticket: str, step: str,
                       now: datetime) -> User:
    try:
        user_id, fingerprint = second_factor.read_ticket(_secret_key(request), ticket, step, now)
    except InvalidTicket:
        raise SignInRefused(STEP_EXPIRED) from None
    user = await session.get(User, user_id)
    if not second_factor.ticket_matches(user, fingerprint):
        raise SignInRefused(STEP_EXPIRED)
    return user


def _secret_key(request: Request) -> str:
    return request.app.state.settings.secret_key


def set_csrf_cookie(request: Request, response: Response, max_age: int | None = None,
                    value: str | None = None) -> str:
    """Readable by the page's script, which echoes it in a header or form field: the
    double-submit CSRF check (auth/dependencies.py)."""
    value = value or secrets.token_urlsafe(24)
    response.set_cookie(CSRF_COOKIE, value, max_age=max_age, httponly=False,
                        secure=_secure(request), samesite="lax")
    return value


def set_session_cookies(request: Request, response: Response, token: str) -> None:
    max_age = int(SESSION_LIFETIME.total_seconds())
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, httponly=True,
                        secure=_secure(request), samesite="lax")
    set_csrf_cookie(request, response, max_age)


async def sign_out(request: Request, response: Response, session: AsyncSession) -> None:
    """Revokes the staff session (bearer or cookie) and clears every credential cookie."""
    scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
    token = bearer.strip() if scheme.lower() == "bearer" else request.cookies.get(SESSION_COOKIE)
    if token and sessions.is_staff_token(token):
        await sessions.revoke(session, token, utcnow(), request.app.state.signed_in)
    for cookie in (SESSION_COOKIE, PATIENT_COOKIE, CSRF_COOKIE):
        response.delete_cookie(cookie)


def _secure(request: Request) -> bool:
    return request.app.state.settings.env == "production"
