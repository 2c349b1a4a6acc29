"""Server-rendered pages for patients, front desk and clinicians (templates/, static/, i18n/).

Page routes call the same services, permissions and audit trail as the API; they are left out
of the OpenAPI schema (tests/integration/test_page_access.py checks their roles)."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from services.intake.pages import (
    auth_pages,
    board,
    case_page,
    check_in_page,
    exam_pages,
    follow_ups,
    patient_form,
)
from services.intake.pages.access import PageRefused, SignInNeeded, sign_in_url
from services.intake.pages.rendering import STATIC_DIR, render

ROUTERS = (auth_pages.router, patient_form.router, check_in_page.router, exam_pages.router,
           board.router, follow_ups.router, case_page.router)


def install_pages(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(SignInNeeded)
    async def _sign_in(_request: Request, exc: SignInNeeded) -> RedirectResponse:
        return RedirectResponse(sign_in_url(exc.next_url), status_code=status.HTTP_303_SEE_OTHER)

    @app.exception_handler(PageRefused)
    async def _refused(request: Request, exc: PageRefused):
        return render(request, "error.html", status_code=exc.status_code, message=exc.message)
