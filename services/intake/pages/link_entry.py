"""A patient arriving from a link: the token in the address bar is traded for a page session
(auth/link_sessions.py says why) before any page is shown, and the browser is sent on to the
clean address of the link's own page. Every page a link lands on (/form, /check-in, /opt-out)
calls `enter_with_link` when its query has a `token`, and reads the patient from the session
thereafter."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request, status
from fastapi.responses import RedirectResponse

from services.intake.auth.link_sessions import link_of_page_token, open_page_session
from services.intake.auth.sign_in import set_csrf_cookie
from services.intake.pages.access import PageRefused
from shared.patient_links import ExpiredLink, InvalidLink, RevokedLink


async def enter_with_link(request: Request, token: str, **query: str) -> RedirectResponse:
    """`query` is what the clean address keeps when it is this same page (the opt-out page's
    channel): never a secret, since the address is logged."""
    try:
        link = await link_of_page_token(request, token)
    except InvalidLink as problem:
        raise link_refused(problem) from None
    response = RedirectResponse("/", status_code=status.HTTP_303_SEE_OTHER)
    page = open_page_session(request, response, link)
    keep = query and page == request.url.path
    response.headers["location"] = f"{page}?{urlencode(query)}" if keep else page
    set_csrf_cookie(request, response)
    return response


def link_refused(problem: InvalidLink) -> PageRefused:
    """The page a refused link shows: withdrawn, expired or not valid."""
    return PageRefused(status.HTTP_401_UNAUTHORIZED, _message(problem))


def _message(problem: InvalidLink) -> str:
    if isinstance(problem, RevokedLink):
        return "error.link_revoked"
    return "error.link_expired" if isinstance(problem, ExpiredLink) else "error.link_invalid"
