"""Resolving who is asking, once per request, and refusing what they may not do.

Credentials, in order: an `Authorization: Bearer` header (a staff session token or a patient
link token), then the staff session cookie, then the patient's page session cookie (opened
with a link, auth/link_sessions.py). Cookies are sent by the browser on its own, so writes that
rely on them must also carry the CSRF token.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from services.intake.auth.link_sessions import PATIENT_COOKIE, link_of_session, link_of_token
from services.intake.auth.permissions import Permission, is_granted
from services.intake.auth.principal import Principal
from services.intake.auth.sessions import is_staff_token, user_for_token
from shared.clock import utcnow
from shared.models import Role
from shared.patient_links import InvalidLink, PatientLink

SESSION_COOKIE = "clinic_session"
CSRF_COOKIE = "clinic_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _unauthenticated(message: str = "Sign in to continue.") -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=message,
                         headers={"WWW-Authenticate": "Bearer"})


async def _principal_from_token(request: Request, token: str, ambient: bool) -> Principal:
    if is_staff_token(token):
        user = await user_for_token(request.app.state.engine, token, utcnow(),
                                    request.app.state.signed_in)
        if user is None:
            raise _unauthenticated("Your session has ended. Sign in again.")
        return Principal(role=Role(user.role), user_id=user.user_id, ambient=ambient)
    return await _patient(link_of_token(request, token), ambient)


async def _patient(reading: Awaitable[PatientLink], ambient: bool) -> Principal:
    try:
        link = await reading
    except InvalidLink as problem:
        raise _unauthenticated(f"{problem}. Ask the clinic for a new link.") from problem
    return Principal(role=Role.PATIENT, patient_id=link.patient_id, ambient=ambient, link=link)


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def get_principal(request: Request) -> Principal:
    if (token := _bearer(request)) is not None:
        principal = await _principal_from_token(request, token, ambient=False)
    elif token := request.cookies.get(SESSION_COOKIE):
        principal = await _principal_from_token(request, token, ambient=True)
        await _check_csrf(request)
    elif page_session := request.cookies.get(PATIENT_COOKIE):
        principal = await _patient(link_of_session(request, page_session), ambient=True)
        await _check_csrf(request)
    else:
        raise _unauthenticated()
    request.state.principal = principal
    return principal


async def _check_csrf(request: Request) -> None:
    if request.method in SAFE_METHODS:
        return
    expected = request.cookies.get(CSRF_COOKIE, "")
    supplied = request.headers.get(CSRF_HEADER, "")
    if not supplied and "form" in request.headers.get("content-type", ""):
        supplied = str((await request.form()).get("csrf_token", ""))
    if not expected or not hmac.compare_digest(expected, supplied):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail="This form has expired. Reload the page and try again.")


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def requires(permission: Permission):
    """The type of a route parameter: who is asking, if their role is granted `permission`
    (auth/permissions.py). The one way routes are authorised; pages say it as staff_page or
    patient_page (pages/access.py), which answer with pages instead."""

    async def dependency(principal: PrincipalDep) -> Principal:
        if not is_granted(principal.role, permission, principal.link_purpose):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=principal.refusal)
        return principal

    dependency.permission = permission  # tests/integration/test_access_matrix.py reads it
    return Annotated[Principal, Depends(dependency)]
