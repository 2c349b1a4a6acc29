"""Patient links as credentials: the token in a URL is traded for a short page session, and
both are refused once staff revoke the patient's links.

Why a session and not the token in a cookie: a link lives 14 days and reads the case; the
first request that carries it in the URL is all a log or a browser history should ever see.
The session cookie is a different credential (shared/patient_links.py signs it under its own
salt), lives two hours at most and never past the link, is sent only to the pages of the
link's purpose (its Path), and names the link it came from, so one link opens one case.

Every use, by session cookie or by `Authorization: Bearer <link token>`, reads the patient's
link generation: a revocation takes effect on the next request, in every API process.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import Request, Response
from sqlalchemy import text

from shared.clock import utcnow
from shared.opt_outs import OPT_OUT_LINK_LIFETIME, OPT_OUT_PURPOSE
from shared.patient_links import (
    ExpiredLink,
    PatientLink,
    RevokedLink,
    read_link,
    read_link_session,
    session_lifetime,
    sign_link_session,
)

PATIENT_COOKIE = "clinic_patient"
# The pages each purpose's session is sent to; a link of another purpose has no page session.
PAGES_OF_PURPOSE = {"intake": "/form", "case": "/form", "check_in": "/check-in",
                    "opt_out": "/opt-out"}
_GENERATION = text("SELECT link_generation FROM patients WHERE id = :patient_id")


async def current_generation(request: Request, patient_id: uuid.UUID) -> int | None:
    async with request.app.state.engine.connect() as connection:
        return (await connection.execute(_GENERATION, {"patient_id": patient_id})).scalar()


async def ensure_not_revoked(request: Request, link: PatientLink) -> PatientLink:
    if await current_generation(request, link.patient_id) != link.generation:
        raise RevokedLink("this link has been withdrawn")
    return link


async def link_of_token(request: Request, token: str) -> PatientLink:
    """A link token (from a URL or a Bearer header), genuine, unexpired and not revoked."""
    link = read_link(request.app.state.settings.secret_key, token, now=utcnow())
    return await ensure_not_revoked(request, link)


async def link_of_page_token(request: Request, token: str) -> PatientLink:
    """As link_of_token, for a link opened in the browser: an opt-out link lives a year (an old
    email must still stop the next ones), and only its page, never the API, accepts it that
    long."""
    try:
        return await link_of_token(request, token)
    except ExpiredLink:
        link = read_link(request.app.state.settings.secret_key, token,
                         max_age=OPT_OUT_LINK_LIFETIME, now=utcnow())
        if link.purpose != OPT_OUT_PURPOSE:
            raise
        return await ensure_not_revoked(request, link)


async def link_of_session(request: Request, value: str) -> PatientLink:
    link = read_link_session(request.app.state.settings.secret_key, value, now=utcnow())
    return await ensure_not_revoked(request, link)


def open_page_session(request: Request, response: Response, link: PatientLink) -> str:
    """Sets the session cookie for `link`; returns the clean page to land on."""
    page = PAGES_OF_PURPOSE.get(link.purpose, "/form")
    now: datetime = utcnow()
    response.set_cookie(
        PATIENT_COOKIE, sign_link_session(request.app.state.settings.secret_key, link, now),
        max_age=int(session_lifetime(link, now).total_seconds()), path=page, httponly=True,
        secure=request.app.state.settings.env == "production",
        # Lax, not Strict: the patient arrives from an email or SMS, another site, and the
        # landing page after the redirect must receive the cookie.
        samesite="lax")
    return page
