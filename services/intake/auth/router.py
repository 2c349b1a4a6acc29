from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import APIRouter, HTTPException, Request, Response, status
from sqlmodel import func, select

from services.intake.auth import rate_limit, sessions
from services.intake.auth.dependencies import (
    CSRF_COOKIE,
    PATIENT_COOKIE,
    SESSION_COOKIE,
    PrincipalDep,
)
from services.intake.auth.passwords import verify_password
from services.intake.auth.schemas import Me, SignedIn, SignIn
from services.intake.dependencies import SessionDep
from shared.clock import utcnow
from shared.models import User

router = APIRouter(prefix="/auth", tags=["sign-in"])

SESSION_LIFETIME = timedelta(hours=12)
WRONG_CREDENTIALS = "Email or password is incorrect."


@router.post("/sign-in", response_model=SignedIn,
             responses={401: {"description": "Wrong email or password"},
                        429: {"description": "Too many failed attempts"}})
async def sign_in(data: SignIn, request: Request, response: Response,
                  session: SessionDep) -> SignedIn:
    redis, limits = request.app.state.redis, request.app.state.sign_in_limits
    address = request.client.host if request.client else "unknown"
    if wait := await rate_limit.seconds_locked_out(redis, data.email, address, limits):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS,
                            detail=f"Too many failed sign-in attempts. Try again in "
                                   f"{max(wait // 60, 1)} minute(s).",
                            headers={"Retry-After": str(wait)})
    user = (await session.exec(select(User).where(
        func.lower(User.email) == data.email.lower()))).first()
    valid = verify_password(user.password_hash if user else None, data.password)
    if not (valid and user and user.is_active):
        await rate_limit.record_failure(redis, data.email, address, limits)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=WRONG_CREDENTIALS)
    await rate_limit.clear_account(redis, data.email)
    token, row = await sessions.open_session(session, user, utcnow(), SESSION_LIFETIME)
    await session.commit()
    _set_session_cookies(request, response, token)
    return SignedIn(token=token, expires_at=row.expires_at, role=user.role,
                    display_name=user.display_name)


def _set_session_cookies(request: Request, response: Response, token: str) -> None:
    secure = request.app.state.settings.env == "production"
    max_age = int(SESSION_LIFETIME.total_seconds())
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, httponly=True, secure=secure,
                        samesite="lax")
    # Readable by the page's script, which echoes it in a header: the double-submit CSRF check.
    response.set_cookie(CSRF_COOKIE, secrets.token_urlsafe(24), max_age=max_age, httponly=False,
                        secure=secure, samesite="lax")


@router.post("/sign-out", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(request: Request, response: Response, session: SessionDep,
                   _principal: PrincipalDep) -> None:
    scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
    token = bearer.strip() if scheme.lower() == "bearer" else request.cookies.get(SESSION_COOKIE)
    if token and sessions.is_staff_token(token):
        await sessions.revoke(session, token, utcnow())
        await session.commit()
    for cookie in (SESSION_COOKIE, PATIENT_COOKIE, CSRF_COOKIE):
        response.delete_cookie(cookie)


@router.get("/me", response_model=Me)
async def me(principal: PrincipalDep) -> Me:
    return Me(role=principal.role.value, user_id=principal.user_id,
              patient_id=principal.patient_id)
