"""Who may open a page. The same principals and permissions as the API (auth/), but a page
answers a missing sign-in with a redirect to the sign-in page and a refusal with a page."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import HTTPException, Request, status

from services.intake.auth.dependencies import get_principal
from services.intake.auth.permissions import Permission, is_granted
from services.intake.auth.principal import Principal
from shared.models import Role


class SignInNeeded(Exception):
    def __init__(self, next_url: str):
        self.next_url = next_url


class PageRefused(Exception):
    """Rendered as the error page with this status and message; for a signed-in staff member
    (`principal`), with their navigation and the pages they may open, never a dead end."""

    def __init__(self, status_code: int, message: str, principal: Principal | None = None):
        self.status_code = status_code
        self.message = message
        self.principal = principal


# The staff pages in the order a navigation lists them, each with the permission that opens it
# (the one its route asks for): a role may open those the permission table grants it, and the
# first of them is where /staff sends it.
STAFF_PAGES: tuple[tuple[str, str, Permission], ...] = (
    ("/staff/board", "Queue board", Permission.READ_QUEUES),
    ("/staff/cases", "Exam entry", Permission.RECORD_EXAM),
    ("/staff/follow-ups", "Follow-ups", Permission.READ_FOLLOW_UPS),
    ("/staff/governance/overrides", "Overrides", Permission.READ_GOVERNANCE),
    ("/staff/governance/replays", "Rule replay", Permission.REPLAY_RULE_SET),
)


def staff_destinations(role: Role) -> tuple[tuple[str, str], ...]:
    """The (path, label) of each staff page `role` may open, in navigation order."""
    return tuple((path, label) for path, label, permission in STAFF_PAGES
                 if is_granted(role, permission))


def sign_in_url(next_url: str) -> str:
    return f"/sign-in?next={quote(next_url, safe='/')}"


def safe_next(next_url: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if next_url and next_url.startswith("/") and not next_url.startswith(("//", "/\\")):
        return next_url
    return "/staff"


async def optional_principal(request: Request) -> Principal | None:
    try:
        return await get_principal(request)
    except HTTPException as refused:
        if refused.status_code == status.HTTP_401_UNAUTHORIZED:
            return None
        raise PageRefused(refused.status_code, str(refused.detail)) from None


def staff_page(permission: Permission):
    """A dependency: a signed-in staff member whose role is granted `permission`; anyone else
    is sent to sign in, or refused with a page."""

    async def dependency(request: Request) -> Principal:
        principal = await optional_principal(request)
        if principal is None or principal.is_patient:
            raise SignInNeeded(request.url.path)
        if not is_granted(principal.role, permission):
            raise PageRefused(status.HTTP_403_FORBIDDEN,
                              f"Your role ({principal.role.value}) may not open this page.",
                              principal)
        return principal

    dependency.permission = permission  # tests/integration/test_access_matrix.py reads it
    return dependency


def patient_page(permission: Permission):
    """A dependency: a patient whose link's page session reached the page (`permission` must
    be granted to patients); anyone else gets the page that asks for the link again."""

    async def dependency(request: Request) -> Principal:
        principal = await optional_principal(request)
        if principal is None or not principal.is_patient or \
                not is_granted(principal.role, permission, principal.link_purpose):
            raise PageRefused(status.HTTP_401_UNAUTHORIZED, "error.link_needed")
        return principal

    assert is_granted(Role.PATIENT, permission), permission
    dependency.permission = permission
    return dependency
