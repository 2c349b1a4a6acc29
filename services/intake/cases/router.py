from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from services.intake.auth.dependencies import requires
from services.intake.auth.permissions import Permission
from services.intake.auth.principal import ensure_may_access_patient
from services.intake.cases import service
from services.intake.cases.schemas import CasePublic, ExamRecorded, ExamSubmission, IntakeSubmission
from services.intake.cases.views import CaseView, case_view
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.errors import InvalidReference
from services.intake.idempotency import name_created
from services.intake.patients.identity import record_identity_read
from shared.audit import record_audit

router = APIRouter(prefix="/cases", tags=["cases"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CasePublic,
             responses={409: {"description": "This patient link already opened a case that "
                                             "is still open; `open_case_id` names it"},
                        303: {"description": "A retry with the Idempotency-Key of a request "
                                             "whose answer was lost: the case it opened is at "
                                             "the Location"}})
async def submit_intake(submission: IntakeSubmission, request: Request, session: SessionDep,
                        principal: requires(Permission.SUBMIT_INTAKE),
                        request_id: RequestIdDep) -> CasePublic:
    """Submit the pre-visit form; this opens a case and queues it for triage."""
    if principal.is_patient and principal.patient_id != submission.patient_id:
        # Answered exactly like an unknown patient, so other patients' ids reveal nothing.
        raise InvalidReference(f"no patient with id {submission.patient_id}",
                               field="body.patient_id")
    case = await service.open_case(session, submission, principal.actor, request_id,
                                   opened_by_link=principal.link and principal.link.link_id)
    opened = CasePublic.model_validate(case)
    name_created(request, f"/cases/{opened.id}")
    return opened


@router.post("/{case_id}/exam-findings", status_code=status.HTTP_201_CREATED,
             response_model=ExamRecorded, responses={404: {"description": "No such case"}})
async def add_exam_findings(case_id: uuid.UUID, exam: ExamSubmission, session: SessionDep,
                            staff: requires(Permission.RECORD_EXAM),
                            request_id: RequestIdDep) -> ExamRecorded:
    case, exam_id, count = await service.record_exam(session, case_id, exam,
                                                     recorded_by=staff.actor.id)
    record_audit(session, staff.actor, "create", "Observation", exam_id,
                 patient_id=case.patient_id, request_id=request_id)
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
    return view
