"""Signing staff in and out, shared by the API (auth/router.py) and the sign-in page.

The answer never hints whether an account exists: a wrong password, an unknown address and a
disabled account all get the same message, and failures count for unknown addresses too.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request, Response
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.auth import rate_limit, sessions
from services.intake.auth.dependencies import CSRF_COOKIE, PATIENT_COOKIE, SESSION_COOKIE
from services.intake.auth.passwords import verify_password
from shared.clock import utcnow
from shared.models import AuthSession, User

SESSION_LIFETIME = timedelta(hours=12)
WRONG_CREDENTIALS = "Email or password is incorrect."


class SignInRefused(Exception):
    def __init__(self, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after  # set when locked out: seconds until another try


@dataclass(frozen=True)
class SignedInUser:
    user: User
    token: str
    session_row: AuthSession


async def authenticate(request: Request, session: AsyncSession, email: str,
                       password: str) -> SignedInUser:
    """Checks the password under the sign-in limits and opens a session (the caller commits)."""
    redis, limits = request.app.state.redis, request.app.state.sign_in_limits
    address = request.client.host if request.client else "unknown"
    if wait := await rate_limit.seconds_locked_out(redis, email, address, limits):
        raise SignInRefused(f"Too many failed sign-in attempts. Try again in "
                            f"{max(wait // 60, 1)} minute(s).", retry_after=wait)
    user = (await session.exec(select(User).where(
        func.lower(User.email) == email.lower()))).first()
    valid = verify_password(user.password_hash if user else None, password)
    if not (valid and user and user.is_active):
        await rate_limit.record_failure(redis, email, address, limits)
        raise SignInRefused(WRONG_CREDENTIALS)
    await rate_limit.clear_account(redis, email)
    token, row = await sessions.open_session(session, user, utcnow(), SESSION_LIFETIME)
    return SignedInUser(user=user, token=token, session_row=row)


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
        await session.commit()
    for cookie in (SESSION_COOKIE, PATIENT_COOKIE, CSRF_COOKIE):
        response.delete_cookie(cookie)


def _secure(request: Request) -> bool:
    return request.app.state.settings.env == "production"
