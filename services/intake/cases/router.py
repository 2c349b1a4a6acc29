from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from services.intake.auth.dependencies import authorised, requires
from services.intake.auth.permissions import Permission
from services.intake.auth.principal import ensure_may_access_patient
from services.intake.cases import service
from services.intake.cases.schemas import CasePublic, ExamRecorded, ExamSubmission, IntakeSubmission
from services.intake.cases.views import CaseView, case_view
from services.intake.dependencies import RequestIdDep, SessionDep, driver_connection
from services.intake.errors import InvalidReference
from services.intake.json_body import documented_body, parsed_body
from services.intake.patients.identity import record_identity_read
from shared.audit import record_audit

router = APIRouter(prefix="/cases", tags=["cases"])


# The most frequent request: a pre-visit form from every patient. It resolves its principal
# and body itself, writes on the driver and answers a prepared Response: dependency solving,
# response validation and SQLAlchemy's execution layer were most of its cost (bench profile:
# 2.1 ms of API CPU per form before, 0.8-1.0 ms after). It checks exactly what the
# dependencies would: `authorised` is what `requires` resolves, `parsed_body` answers
# FastAPI's own 422.
@router.post("", status_code=status.HTTP_201_CREATED, response_model=CasePublic,
             openapi_extra=documented_body(IntakeSubmission),
             responses={409: {"description": "This patient link already opened a case that "
                                             "is still open; `open_case_id` names it"}})
async def submit_intake(request: Request) -> Response:
    """Submit the pre-visit form; this opens a case and queues it for triage."""
    # Before the write's connection is taken, and released at once: holding the sign-in
    # lookup's connection as well, a burst of forms would wait on itself for the pool.
    principal = await authorised(request, Permission.SUBMIT_INTAKE)
    submission = await parsed_body(request, IntakeSubmission)
    if principal.is_patient and principal.patient_id != submission.patient_id:
        # Answered exactly like an unknown patient, so other patients' ids reveal nothing.
        raise InvalidReference(f"no patient with id {submission.patient_id}",
                               field="body.patient_id")
    try:
        async with driver_connection(request) as driver:
            case = await service.open_case(driver, submission, principal.actor,
                                           request.state.request_id,
                                           opened_by_link=principal.link and principal.link.link_id)
    except service.LinkHasOpenCase as refused:
        raise await service.open_case_conflict(request.app.state.engine, refused) from None
    return Response(CasePublic.model_validate(case).model_dump_json(),
                    status_code=status.HTTP_201_CREATED, media_type="application/json")


@router.post("/{case_id}/exam-findings", status_code=status.HTTP_201_CREATED,
             response_model=ExamRecorded, responses={404: {"description": "No such case"}})
async def add_exam_findings(case_id: uuid.UUID, exam: ExamSubmission, session: SessionDep,
                            staff: requires(Permission.RECORD_EXAM),
                            request_id: RequestIdDep) -> ExamRecorded:
    case, exam_id, count = await service.record_exam(session, case_id, exam,
                                                     recorded_by=staff.actor.id)
    record_audit(session, staff.actor, "create", "Observation", exam_id,
                 patient_id=case.patient_id, request_id=request_id)
    await session.commit()
    return ExamRecorded(case_id=case.id, exam_id=exam_id, findings_recorded=count)


@router.get("/{case_id}", response_model=CaseView,
            responses={404: {"description": "No such case"}})
async def read_case(case_id: uuid.UUID, session: SessionDep,
                    principal: requires(Permission.READ_CASE),
                    request_id: RequestIdDep) -> CaseView:
    """The case as the reader's role may see it: clinicians get the decision with its
    rationale, sources, missing information and history; front desk the history and exam;
    a patient their own case's status and next steps."""
    case = await service.get_case(session, case_id)
    ensure_may_access_patient(principal, case.patient_id, "case", case_id)
    view = await case_view(session, case, principal)
    record_audit(session, principal.actor, "read", "Case", case.id,
                 patient_id=case.patient_id, request_id=request_id)
    if not principal.is_patient:  # staff views name the patient (identity banner)
        record_identity_read(session, principal.actor, case.patient_id, request_id)
    await session.commit()
    return view
