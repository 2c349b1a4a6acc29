"""Staff sign-in and sign-out pages (the same checks and limits as POST /auth/sign-in)."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse

from services.intake.auth.dependencies import CSRF_COOKIE
from services.intake.auth.sign_in import (
    CodeNeeded,
    EnrolmentNeeded,
    SignInRefused,
    authenticate,
    continue_with_code,
    finish_enrolment,
    set_csrf_cookie,
    set_session_cookies,
    sign_out,
)
from services.intake.dependencies import SessionDep
from services.intake.pages.access import optional_principal, safe_next, staff_destinations
from services.intake.pages.rendering import render

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
    if not _csrf_ok(request, form):
        return _page(request, next_url, FORM_EXPIRED, email, status.HTTP_403_FORBIDDEN)
    if not email or not password:
        return _page(request, next_url, "Enter your email and your password.", email,
                     status.HTTP_422_UNPROCESSABLE_ENTITY)
    try:
        signed_in = await authenticate(request, session, email, password)
    except CodeNeeded as needed:  # no code on this form: ask for it on the next
        return render(request, "sign_in_code.html", next_url=next_url, ticket=needed.ticket,
                      error=None, language="en")
    except EnrolmentNeeded as needed:
        return _enrol_page(request, next_url, needed.ticket, needed.enrolment.otpauth_uri,
                           needed.enrolment.secret, needed.enrolment.qr_svg)
    except SignInRefused as refused:
        return _page(request, next_url, refused.message, email, _refusal_status(refused))
    return await _signed_in(request, session, next_url, signed_in)


@router.post("/sign-in/code")
async def sign_in_code_submit(request: Request, session: SessionDep):
    """The second step for an account with a one-time code."""
    form = await request.form()
    ticket, code = str(form.get("ticket", "")), str(form.get("code", "")).strip()
    next_url = safe_next(str(form.get("next", "")))
    if not _csrf_ok(request, form):
        return _page(request, next_url, FORM_EXPIRED, status_code=status.HTTP_403_FORBIDDEN)
    try:
        signed_in = await continue_with_code(request, session, ticket, code)
    except CodeNeeded as needed:
        return render(request, "sign_in_code.html", status_code=status.HTTP_401_UNAUTHORIZED,
                      next_url=next_url, ticket=needed.ticket, error=needed.message,
                      language="en")
    except SignInRefused as refused:
        return _page(request, next_url, refused.message, status_code=_refusal_status(refused))
    return await _signed_in(request, session, next_url, signed_in)


@router.post("/sign-in/enrol")
async def sign_in_enrol_submit(request: Request, session: SessionDep):
    """An admin's first sign-in: the first code from the new secret confirms it. A wrong
    code starts the set-up again (a new secret, shown once)."""
    form = await request.form()
    ticket, code = str(form.get("ticket", "")), str(form.get("code", "")).strip()
    next_url = safe_next(str(form.get("next", "")))
    if not _csrf_ok(request, form):
        return _page(request, next_url, FORM_EXPIRED, status_code=status.HTTP_403_FORBIDDEN)
    try:
        signed_in = await finish_enrolment(request, session, ticket, code)
    except CodeNeeded as needed:
        return _page(request, next_url, f"{needed.message} Sign in again to start over.",
                     status_code=status.HTTP_401_UNAUTHORIZED)
    except SignInRefused as refused:
        return _page(request, next_url, refused.message, status_code=_refusal_status(refused))
    return await _signed_in(request, session, next_url, signed_in)


def _enrol_page(request: Request, next_url: str, ticket: str, otpauth_uri: str, secret: str,
                qr_svg: str):
    response = render(request, "sign_in_enrol.html", next_url=next_url, ticket=ticket,
                      otpauth_uri=otpauth_uri, secret=secret, qr_svg=qr_svg, language="en")
    response.headers["Cache-Control"] = "no-store"  # the secret is on it
    return response


async def _signed_in(request: Request, session: SessionDep, next_url: str, signed_in):
    response = RedirectResponse(next_url, status_code=status.HTTP_303_SEE_OTHER)
    set_session_cookies(request, response, signed_in.token)
    return response


def _csrf_ok(request: Request, form) -> bool:
    expected = request.cookies.get(CSRF_COOKIE, "")
    return bool(expected) and hmac.compare_digest(expected, str(form.get("csrf_token", "")))


def _refusal_status(refused: SignInRefused) -> int:
    return status.HTTP_429_TOO_MANY_REQUESTS if refused.retry_after else \
        status.HTTP_401_UNAUTHORIZED


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
    home, _label = staff_destinations(principal.role)[0]
    return RedirectResponse(home, status_code=status.HTTP_303_SEE_OTHER)
