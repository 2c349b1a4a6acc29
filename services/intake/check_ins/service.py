"""A patient's answers at a follow-up check-in: stored once per check-in, then the case is
triaged again."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.auth.principal import Principal
from services.intake.errors import Conflict, NotFound
from shared.clinical_record import (
    CHECK_IN_QUESTIONNAIRE_ID,
    CHECK_IN_QUESTIONNAIRE_VERSION,
    CheckInAnswers,
    NewSymptom,
)
from shared.contracts import TriageCase
from shared.models import Case, FollowUp, IntakeResponse
from shared.outbox import add_to_outbox
from shared.statements import new_row

# Answers that mean "get care now" whatever the re-triage finds; the page says so at once.
URGENT_SYMPTOMS = {NewSymptom.NUMBNESS, NewSymptom.COLD_OR_PALE_FOOT,
                   NewSymptom.CANNOT_BEAR_WEIGHT}


@dataclass(frozen=True)
class CheckInLink:
    """What a check-in link points at: the case, and the follow-up it answers."""

    case: Case
    follow_up_id: uuid.UUID


@dataclass(frozen=True)
class GivenAnswer:
    answers: dict
    authored_at: datetime


class AlreadyAnswered(Conflict):
    """A check-in link answers once; a second answer is refused and changes nothing."""

    def __init__(self, given: GivenAnswer, contact: str):
        super().__init__(
            "This check-in was already answered on "
            f"{given.authored_at:%d %b %Y at %H:%M} (UTC), and nothing has been changed. "
            f"To tell the clinic something new, {contact}. If you feel much worse, go to an "
            "emergency department or call emergency services now.",
            extra={"answered_at": given.authored_at.isoformat()})
        self.given = given


def how_to_reach_the_clinic(phone: str | None) -> str:
    return f"call the clinic on {phone}" if phone else \
        "call the clinic on the number in your appointment letter"


async def case_of_link(session: AsyncSession, patient: Principal) -> CheckInLink:
    """The case and follow-up the patient's check-in link points at; anything else answers
    as missing."""
    link = patient.link
    follow_up = await session.get(FollowUp, link.follow_up_id) if link and link.follow_up_id \
        else None
    case = await session.get(Case, follow_up.case_id) if follow_up else None
    if link is None or link.purpose != "check_in" or case is None \
            or case.patient_id != patient.patient_id:
        raise NotFound("this check-in link does not point at a check-in; ask the clinic for a "
                       "new link", field="header.authorization")
    return CheckInLink(case=case, follow_up_id=follow_up.id)


async def given_answer(session: AsyncSession, link: CheckInLink) -> GivenAnswer | None:
    row = (await session.exec(select(IntakeResponse.answers, IntakeResponse.authored_at)
                              .where(IntakeResponse.follow_up_id == link.follow_up_id))).first()
    return GivenAnswer(*row) if row else None


async def record_check_in(session: AsyncSession, link: CheckInLink, answers: CheckInAnswers,
                          contact: str) -> None:
    """Stores the answer and asks for re-triage, or raises AlreadyAnswered. The unique key on
    the follow-up decides, so two answers sent at once cannot both be stored."""
    row = new_row(IntakeResponse, case_id=link.case.id, follow_up_id=link.follow_up_id,
                  questionnaire=CHECK_IN_QUESTIONNAIRE_ID,
                  questionnaire_version=CHECK_IN_QUESTIONNAIRE_VERSION, source="patient",
                  answers=answers.model_dump(mode="json", exclude_none=True))
    stored = (await session.execute(
        insert(IntakeResponse).values(row)
        .on_conflict_do_nothing(constraint="uq_intake_responses_follow_up_id")
        .returning(IntakeResponse.id))).first()
    if stored is None:
        given = await given_answer(session, link)
        raise AlreadyAnswered(given, contact) if given else Conflict(
            f"This check-in was already answered. To tell the clinic something new, {contact}.")
    add_to_outbox(session, TriageCase(message_id=uuid.uuid4(), case_id=link.case.id,
                                      reason="follow_up_answered"))


def seek_care_now(answers: CheckInAnswers) -> bool:
    return bool(URGENT_SYMPTOMS & set(answers.new_symptoms))
