"""Staff sign-in and sign-out pages (the same checks and limits as POST /auth/sign-in)."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse

from services.intake.auth.dependencies import CSRF_COOKIE
from services.intake.auth.sign_in import (
    SignInRefused,
    authenticate,
    set_csrf_cookie,
    set_session_cookies,
    sign_out,
)
from services.intake.dependencies import SessionDep
from services.intake.pages.access import optional_principal, safe_next
from services.intake.pages.rendering import render
from shared.models import Role

router = APIRouter(include_in_schema=False)
FORM_EXPIRED = "This form has expired. Reload the page and try again."


@router.get("/sign-in")
async def sign_in_page(request: Request, next: str | None = None):
    return _page(request, next_url=safe_next(next))


def _page(request: Request, next_url: str, error: str | None = None, email: str = "",
          status_code: int = 200):
    # Signing in is protected too (login CSRF): the form echoes a token from a fresh cookie.
    existing = request.cookies.get(CSRF_COOKIE)
    request.state.csrf_token = existing or secrets.token_urlsafe(24)
    response = render(request, "sign_in.html", status_code=status_code, next_url=next_url,
                      error=error, email=email, language="en")
    if not existing:
        set_csrf_cookie(request, response, value=request.state.csrf_token)
    return response


@router.post("/sign-in")
async def sign_in_submit(request: Request, session: SessionDep):
    form = await request.form()
    email, password = str(form.get("email", "")).strip(), str(form.get("password", ""))
    next_url = safe_next(str(form.get("next", "")))
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, str(form.get("csrf_token", ""))):
        return _page(request, next_url, FORM_EXPIRED, email, status.HTTP_403_FORBIDDEN)
    if not email or not password:
        return _page(request, next_url, "Enter your email and your password.", email,
                     status.HTTP_422_UNPROCESSABLE_ENTITY)
    try:
        signed_in = await authenticate(request, session, email, password)
    except SignInRefused as refused:
        code = status.HTTP_429_TOO_MANY_REQUESTS if refused.retry_after else \
            status.HTTP_401_UNAUTHORIZED
        return _page(request, next_url, refused.message, email, code)
    await session.commit()
    response = RedirectResponse(next_url, status_code=status.HTTP_303_SEE_OTHER)
    set_session_cookies(request, response, signed_in.token)
    return response


@router.post("/sign-out")
async def sign_out_submit(request: Request, session: SessionDep):
    await optional_principal(request)  # checks the CSRF token of a signed-in user
    response = RedirectResponse("/sign-in", status_code=status.HTTP_303_SEE_OTHER)
    await sign_out(request, response, session)
    return response


@router.get("/staff")
async def staff_home(request: Request):
    principal = await optional_principal(request)
    if principal is None or principal.is_patient:
        return RedirectResponse("/sign-in", status_code=status.HTTP_303_SEE_OTHER)
    home = {Role.CLINICIAN: "/staff/board", Role.FRONT_DESK: "/staff/cases",
            Role.ADMIN: "/staff/follow-ups"}[principal.role]
    return RedirectResponse(home, status_code=status.HTTP_303_SEE_OTHER)
