from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status
from pydantic import BaseModel

from services.intake.auth.dependencies import requires
from services.intake.auth.permissions import Permission
from services.intake.check_ins import service
from services.intake.dependencies import RequestIdDep, SessionDep
from shared.audit import record_audit
from shared.clinical_record import CheckInAnswers

router = APIRouter(prefix="/check-ins", tags=["check-ins"])


class CheckInReceived(BaseModel):
    case_id: uuid.UUID
    seek_care_now: bool
    message: str


RECEIVED = ("Thank you. Your answers are with the clinic, and your care plan is being "
            "reviewed; you will hear from us if it changes.")
SEEK_CARE = ("Thank you. What you describe needs care today: go to an emergency department "
             "or call emergency services now. The clinic has your answers.")


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=CheckInReceived,
             responses={404: {"description": "The link is not a check-in link"},
                        409: {"description": "This check-in was already answered; nothing "
                                             "changed, and the message says how to reach the "
                                             "clinic"}})
async def answer_check_in(answers: CheckInAnswers, request: Request, session: SessionDep,
                          patient: requires(Permission.ANSWER_CHECK_IN),
                          request_id: RequestIdDep) -> CheckInReceived:
    """The patient's check-in answers (through the signed link in their reminder); the case is
    triaged again with them. Each check-in is answered once."""
    link = await service.case_of_link(session, patient)
    contact = service.how_to_reach_the_clinic(request.app.state.settings.contact_phone)
    await service.record_check_in(session, link, answers, contact)
    record_audit(session, patient.actor, "create", "QuestionnaireResponse", link.case.id,
                 patient_id=link.case.patient_id, request_id=request_id)
    urgent = service.seek_care_now(answers)
    return CheckInReceived(case_id=link.case.id, seek_care_now=urgent,
                           message=SEEK_CARE if urgent else RECEIVED)
