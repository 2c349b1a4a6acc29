"""Staff exam entry: pick a case, record what the examination found (re-triages the case)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import RedirectResponse
from sqlmodel import col, select

from services.intake.auth.permissions import Permission, is_granted
from services.intake.auth.principal import Principal
from services.intake.cases import service as cases
from services.intake.cases.schemas import ExamSubmission
from services.intake.cases.service import latest_history
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.pages import exam_form
from services.intake.pages.access import staff_page
from services.intake.pages.questions import STEPS
from services.intake.pages.rendering import render
from services.intake.patients.identity import (
    identity_entities,
    identity_of,
    record_identity_read,
)
from shared.audit import Entity, record_audit, record_list_read
from shared.models import Case, CaseStatus, Patient

router = APIRouter(include_in_schema=False)
Examiner = Annotated[Principal, Depends(staff_page(Permission.RECORD_EXAM))]
OPEN_CASES_LIST = "staff/cases"  # the list the audit trail names for a view


@router.get("/staff/cases")
async def open_cases(request: Request, session: SessionDep, staff: Examiner,
                     request_id: RequestIdDep):
    """The open cases, newest first, to choose one to examine."""
    rows = (await session.exec(
        select(Case, Patient).join(Patient, col(Patient.id) == col(Case.patient_id))
        .where(Case.status != CaseStatus.CLOSED).order_by(col(Case.created_at).desc())
        .limit(50))).all()
    # One audit event for the view, naming every case it showed and every patient it named.
    record_list_read(session, staff.actor, OPEN_CASES_LIST, [
        *(Entity("Case", case.id, patient.id) for case, patient in rows),
        *identity_entities(patient.id for _case, patient in rows)], request_id=request_id)
    return render(request, "cases.html", principal=staff, language="en",
                  rows=[(case, identity_of(patient)) for case, patient in rows])


@router.get("/staff/cases/{case_id}/exam")
async def exam_page(case_id: uuid.UUID, request: Request, session: SessionDep,
                    staff: Examiner, request_id: RequestIdDep, saved: int = 0):
    return await _exam(request, session, staff, request_id, case_id, errors={},
                       saved=saved)


@router.post("/staff/cases/{case_id}/exam")
async def record_exam(case_id: uuid.UUID, request: Request, session: SessionDep,
                      staff: Examiner, request_id: RequestIdDep):
    form = await request.form()
    findings, errors = exam_form.read_findings(form)
    if findings is None:
        return await _exam(request, session, staff, request_id, case_id, errors=errors,
                           status_code=status.HTTP_422_UNPROCESSABLE_ENTITY)
    case, exam_id, count = await cases.record_exam(session, case_id,
                                                   ExamSubmission(findings=findings),
                                                   recorded_by=staff.actor.id)
    record_audit(session, staff.actor, "create", "Observation", exam_id,
                 patient_id=case.patient_id, request_id=request_id)
    # To the case page when the examiner may open it (it is where a clinician works the case).
    target = f"/staff/cases/{case_id}?done=exam" \
        if is_granted(staff.role, Permission.WORK_QUEUES) else \
        f"/staff/cases/{case_id}/exam?saved={count}"
    return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)


async def _exam(request, session, staff, request_id, case_id, errors, saved=0,
                status_code=200):
    case = await cases.get_case(session, case_id)
    history = await latest_history(session, case.id) or {}
    findings = await cases.current_exam_findings(session, case.id)
    patient = identity_of(await session.get(Patient, case.patient_id))
    record_audit(session, staff.actor, "read", "Case", case.id, patient_id=case.patient_id,
                 request_id=request_id)
    record_identity_read(session, staff.actor, case.patient_id, request_id)
    return render(request, "exam.html", status_code=status_code, principal=staff, case=case,
                  patient=patient,
                  history=history, findings=findings, errors=errors, saved=saved,
                  groups=exam_form.GROUPS, choices=exam_form.CHOICES, kind_of=exam_form.kind_of,
                  numbers=exam_form.NUMBERS,
                  steps=STEPS, language="en")
