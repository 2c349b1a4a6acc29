"""Server-rendered pages for patients, front desk and clinicians (templates/, static/, i18n/).

Page routes call the same services, permissions and audit trail as the API; they are left out
of the OpenAPI schema (tests/integration/test_page_access.py checks their roles)."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from services.intake.auth.principal import Principal
from services.intake.errors import (
    DATABASE_UNAVAILABLE,
    RETRY_AFTER_SECONDS,
    NotFound,
    unavailable_response,
)
from services.intake.governance.router import router as governance_router
from services.intake.pages import (
    auth_pages,
    board,
    case_page,
    check_in_page,
    exam_pages,
    follow_ups,
    patient_form,
    patient_links,
)
from services.intake.pages.access import (
    PageRefused,
    SignInNeeded,
    optional_principal,
    sign_in_url,
    staff_destinations,
)
from services.intake.pages.rendering import STATIC_DIR, render

ROUTERS = (auth_pages.router, patient_form.router, check_in_page.router, exam_pages.router,
           board.router, follow_ups.router, case_page.router, patient_links.router,
           governance_router)


def install_pages(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(SignInNeeded)
    async def _sign_in(_request: Request, exc: SignInNeeded) -> RedirectResponse:
        return RedirectResponse(sign_in_url(exc.next_url), status_code=status.HTTP_303_SEE_OTHER)

    @app.exception_handler(PageRefused)
    async def _refused(request: Request, exc: PageRefused):
        return _error_page(request, exc.status_code, exc.message, exc.principal)

    # A page that is not there answers a page; the API's 404s stay JSON.
    @app.exception_handler(status.HTTP_404_NOT_FOUND)
    async def _no_such_page(request: Request, exc: HTTPException):
        if not is_page_request(request):
            return await http_exception_handler(request, exc)
        return _error_page(request, status.HTTP_404_NOT_FOUND, "error.not_found",
                           await _signed_in_staff(request))

    @app.exception_handler(NotFound)
    async def _record_not_found(request: Request, exc: NotFound):
        if not is_page_request(request):
            return JSONResponse(status_code=exc.status_code, content=exc.body())
        return _error_page(request, status.HTTP_404_NOT_FOUND, "error.not_found",
                           await _signed_in_staff(request))


    # PostgreSQL away: a page says to try again in a moment (503, Retry-After), the API 503s
    # in JSON (services/intake/errors.py). The patient's form keeps its answers itself
    # (patient_form.py).
    async def _database_unavailable(request: Request, _exc: Exception):
        if not is_page_request(request):
            return unavailable_response()
        page = _error_page(request, status.HTTP_503_SERVICE_UNAVAILABLE, "error.unavailable",
                           None)
        page.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return page

    for error in DATABASE_UNAVAILABLE:
        app.add_exception_handler(error, _database_unavailable)


def is_page_request(request: Request) -> bool:
    """A page route (left out of the API schema), or no route at all asked for by a browser."""
    route = request.scope.get("route")
    if isinstance(route, APIRoute):
        return not route.include_in_schema
    return "text/html" in request.headers.get("accept", "")


async def _signed_in_staff(request: Request) -> Principal | None:
    try:
        principal = await optional_principal(request)
    except PageRefused:
        return None
    return principal if principal and not principal.is_patient else None


def _error_page(request: Request, status_code: int, message: str,
                principal: Principal | None):
    staff = principal if principal and not principal.is_patient else None
    return render(request, "error.html", status_code=status_code, message=message,
                  principal=principal,
                  destinations=staff_destinations(staff.role) if staff else ())
