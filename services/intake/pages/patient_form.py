"""The patient's pre-visit form: reached through the front desk's signed link."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import RedirectResponse

from services.intake.auth.link_sessions import PATIENT_COOKIE
from services.intake.auth.permissions import Permission
from services.intake.auth.principal import Principal, ensure_may_access_patient
from services.intake.cases import service as cases
from services.intake.cases.schemas import IntakeSubmission
from services.intake.cases.views import case_view
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.errors import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS
from services.intake.pages.access import PageRefused, patient_page
from services.intake.pages.link_entry import enter_with_link
from services.intake.pages.questions import STEPS, read_answers
from services.intake.pages.rendering import render
from shared.audit import record_audit
from shared.clock import utcnow
from shared.patient_links import InvalidLink, read_link_session

router = APIRouter(include_in_schema=False)
form_page_session = patient_page(Permission.SUBMIT_INTAKE)
Patient = Annotated[Principal, Depends(patient_page(Permission.READ_CASE))]


@router.get("/form")
async def form_page(request: Request, token: str | None = None):
    if token:
        return await enter_with_link(request, token)
    patient = await form_page_session(request)
    return _form(request, patient, answers={}, errors={})


@router.post("/form")
async def submit_form(request: Request, session: SessionDep, request_id: RequestIdDep):
    form = await request.form()
    answers = {key: [str(v) for v in form.getlist(key)] for key in form
               if key != "csrf_token"}
    try:  # who is asking is read from PostgreSQL too (a revoked link), so inside the try
        patient = await form_page_session(request)
        result = read_answers(answers)
        if result.history is None:
            return _form(request, patient, answers, result.errors,
                         status_code=status.HTTP_422_UNPROCESSABLE_ENTITY)
        submission = IntakeSubmission(patient_id=patient.patient_id, history=result.history)
        case = await cases.open_case(session, submission, patient.actor, request_id,
                                     opened_by_link=patient.link.link_id)
    except DATABASE_UNAVAILABLE:
        return _not_saved(request, answers)
    except cases.OpenCaseExists as refused:  # a second tab, the back button, a resend
        return render(request, "form_already_sent.html", status_code=status.HTTP_409_CONFLICT,
                      case_id=refused.case_id)
    return RedirectResponse(f"/form/done/{case['id']}", status_code=status.HTTP_303_SEE_OTHER)


def _form(request: Request, patient: Principal, answers: dict, errors: dict,
          status_code: int = 200):
    return _form_of(request, patient.patient_id, answers, errors, status_code)


def _form_of(request: Request, patient_id: uuid.UUID, answers: dict, errors: dict,
             status_code: int = 200, **context):
    # Every question is in the page: the script hides those no answer calls for yet (without
    # script all show, and the server ignores answers to questions that did not apply).
    return render(request, "form.html", status_code=status_code, steps=STEPS, answers=answers,
                  errors=errors, draft_key=f"intake-draft:{patient_id}", **context)


def _not_saved(request: Request, answers: dict):
    """PostgreSQL is away: the form again with every answer given, saying to try again in a
    moment (503, Retry-After); the draft on the phone is kept (only the done page clears it).
    The page session's signature names the patient without the database; a revocation
    cannot be checked now, so nothing is shown but the answers this request itself sent."""
    try:
        link = read_link_session(request.app.state.settings.secret_key,
                                 request.cookies.get(PATIENT_COOKIE, ""), now=utcnow())
    except InvalidLink:
        raise PageRefused(status.HTTP_401_UNAUTHORIZED, "error.link_needed") from None
    response = _form_of(request, link.patient_id, answers, errors={}, not_saved=True,
                        status_code=status.HTTP_503_SERVICE_UNAVAILABLE)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@router.get("/form/done/{case_id}")
async def form_done(case_id: uuid.UUID, request: Request, session: SessionDep,
                    patient: Patient, request_id: RequestIdDep):
    return render(request, "form_done.html",
                  **await _status(session, case_id, patient, request_id))


@router.get("/form/status/{case_id}")
async def form_status(case_id: uuid.UUID, request: Request, session: SessionDep,
                      patient: Patient, request_id: RequestIdDep):
    return render(request, "_case_status.html",
                  **await _status(session, case_id, patient, request_id))


async def _status(session, case_id: uuid.UUID, patient: Principal, request_id: str) -> dict:
    case = await cases.get_case(session, case_id)
    ensure_may_access_patient(patient, case.patient_id, "case", case_id)
    view = await case_view(session, case, patient)
    record_audit(session, patient.actor, "read", "Case", case.id, patient_id=case.patient_id,
                 request_id=request_id)
    return {"case_id": case.id, "next_steps": view.next_steps,
            "draft_key": f"intake-draft:{patient.patient_id}"}
