from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.intake.cases import service
from services.intake.cases.schemas import (
    CaseDetail, CasePublic, DecisionPublic, DecisionSummary, ExamRecorded, ExamSubmission,
    IntakeSubmission, QueuePlacement,
)
from services.intake.dependencies import ActorDep, RequestIdDep, SessionDep
from shared.audit import record_audit

router = APIRouter(prefix="/cases", tags=["cases"])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CasePublic)
async def submit_intake(
    submission: IntakeSubmission, session: SessionDep, actor: ActorDep, request_id: RequestIdDep
) -> CasePublic:
    """Submit the pre-visit form; this opens a case and queues it for triage."""
    case = await service.open_case(session, submission)
    record_audit(session, actor, "create", "Case", case.id, patient_id=case.patient_id,
                 request_id=request_id)
    await session.commit()
    return CasePublic.model_validate(case, from_attributes=True)


@router.post("/{case_id}/exam-findings", status_code=status.HTTP_201_CREATED,
             response_model=ExamRecorded, responses={404: {"description": "No such case"}})
async def add_exam_findings(
    case_id: uuid.UUID, exam: ExamSubmission, session: SessionDep, actor: ActorDep,
    request_id: RequestIdDep,
) -> ExamRecorded:
    case, exam_id, count = await service.record_exam(session, case_id, exam, recorded_by=actor.id)
    record_audit(session, actor, "create", "Observation", exam_id, patient_id=case.patient_id,
                 request_id=request_id)
    await session.commit()
    return ExamRecorded(case_id=case.id, exam_id=exam_id, findings_recorded=count)


@router.get("/{case_id}", response_model=CaseDetail, responses={404: {"description": "No such case"}})
async def read_case(
    case_id: uuid.UUID, session: SessionDep, actor: ActorDep, request_id: RequestIdDep
) -> CaseDetail:
    """The case with its history, exam findings, current triage decision and decision history."""
    case = await service.get_case(session, case_id)
    decisions = await service.decisions(session, case_id)
    entry = await service.queue_entry(session, case_id)
    detail = CaseDetail(
        **CasePublic.model_validate(case, from_attributes=True).model_dump(),
        history=await service.latest_history(session, case_id),
        exam_findings=await service.current_exam_findings(session, case_id),
        decision=DecisionPublic.model_validate(decisions[0], from_attributes=True)
        if decisions else None,
        decision_history=[DecisionSummary.model_validate(d, from_attributes=True)
                          for d in decisions],
        queue_entry=QueuePlacement.model_validate(entry, from_attributes=True) if entry else None,
    )
    record_audit(session, actor, "read", "Case", case.id, patient_id=case.patient_id,
                 request_id=request_id)
    await session.commit()
    return detail
