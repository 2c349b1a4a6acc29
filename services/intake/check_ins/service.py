"""A patient's answers at a follow-up check-in: stored, then the case is triaged again."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.auth.principal import Principal
from services.intake.errors import NotFound
from shared.clinical_record import (
    CHECK_IN_QUESTIONNAIRE_ID,
    CHECK_IN_QUESTIONNAIRE_VERSION,
    CheckInAnswers,
    NewSymptom,
)
from shared.contracts import TriageCase
from shared.models import Case, FollowUp, IntakeResponse
from shared.outbox import add_to_outbox

# Answers that mean "get care now" whatever the re-triage finds; the page says so at once.
URGENT_SYMPTOMS = {NewSymptom.NUMBNESS, NewSymptom.COLD_OR_PALE_FOOT,
                   NewSymptom.CANNOT_BEAR_WEIGHT}


async def case_of_link(session: AsyncSession, patient: Principal) -> Case:
    """The case the patient's check-in link points at; anything else answers as missing."""
    link = patient.link
    follow_up = await session.get(FollowUp, link.follow_up_id) if link and link.follow_up_id \
        else None
    case = await session.get(Case, follow_up.case_id) if follow_up else None
    if link is None or link.purpose != "check_in" or case is None \
            or case.patient_id != patient.patient_id:
        raise NotFound("this check-in link does not point at a check-in; ask the clinic for a "
                       "new link", field="header.authorization")
    return case


async def record_check_in(session: AsyncSession, case: Case, answers: CheckInAnswers) -> None:
    session.add(IntakeResponse(
        case_id=case.id, questionnaire=CHECK_IN_QUESTIONNAIRE_ID,
        questionnaire_version=CHECK_IN_QUESTIONNAIRE_VERSION, source="patient",
        answers=answers.model_dump(mode="json", exclude_none=True)))
    add_to_outbox(session, TriageCase(message_id=uuid.uuid4(), case_id=case.id,
                                      reason="follow_up_answered"))


def seek_care_now(answers: CheckInAnswers) -> bool:
    return bool(URGENT_SYMPTOMS & set(answers.new_symptoms))
