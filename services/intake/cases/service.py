"""Opening a case from a pre-visit form, recording exam findings, and reading a case back.

Every change that needs triage writes a TriageCase message to the outbox in the same
transaction, so it reaches the triage worker exactly when, and only if, the change commits.
"""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.cases.schemas import ExamSubmission, IntakeSubmission
from services.intake.errors import InvalidReference, NotFound
from shared.clinical_record import QUESTIONNAIRE_ID, QUESTIONNAIRE_VERSION
from shared.clock import utcnow
from shared.contracts import TriageCase
from shared.models import (
    Case,
    CaseStatus,
    IntakeResponse,
    Observation,
    Patient,
    QueueEntry,
    TriageDecision,
)
from shared.outbox import add_to_outbox


async def open_case(session: AsyncSession, submission: IntakeSubmission) -> Case:
    if await session.get(Patient, submission.patient_id) is None:
        raise InvalidReference(f"no patient with id {submission.patient_id}", field="body.patient_id")
    case = Case(id=uuid.uuid4(), patient_id=submission.patient_id)
    session.add(case)
    await session.flush()  # the case row must exist before rows that reference it
    session.add(
        IntakeResponse(
            case_id=case.id,
            questionnaire=QUESTIONNAIRE_ID,
            questionnaire_version=QUESTIONNAIRE_VERSION,
            answers=submission.history.model_dump(mode="json", exclude_none=True),
        )
    )
    _request_triage(session, case, "intake_submitted")
    return case


async def record_exam(session: AsyncSession, case_id: uuid.UUID, exam: ExamSubmission,
                      recorded_by: str) -> tuple[Case, uuid.UUID, int]:
    case = await get_case(session, case_id)
    exam_id = uuid.uuid4()
    now = utcnow()
    findings = exam.findings.model_dump(mode="json", exclude_none=True)
    for code, value in findings.items():
        session.add(Observation(case_id=case.id, exam_id=exam_id, code=code, value=value,
                                effective_at=now, recorded_by=recorded_by))
    case.status = CaseStatus.AWAITING_TRIAGE
    case.updated_at = now
    session.add(case)
    _request_triage(session, case, "exam_recorded")
    return case, exam_id, len(findings)


def _request_triage(session: AsyncSession, case: Case, reason: str) -> None:
    add_to_outbox(session, TriageCase(message_id=uuid.uuid4(), case_id=case.id, reason=reason))


async def get_case(session: AsyncSession, case_id: uuid.UUID) -> Case:
    case = await session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case with id {case_id}", field="path.case_id")
    return case


async def latest_history(session: AsyncSession, case_id: uuid.UUID) -> dict | None:
    """The latest pre-visit form; check-in answers share the table under another
    questionnaire and are not history."""
    query = (select(IntakeResponse.answers)
             .where(IntakeResponse.case_id == case_id,
                    IntakeResponse.questionnaire == QUESTIONNAIRE_ID)
             .order_by(col(IntakeResponse.authored_at).desc()).limit(1))
    return (await session.exec(query)).first()


async def current_exam_findings(session: AsyncSession, case_id: uuid.UUID) -> dict:
    """The latest value of each finding across all examinations of the case."""
    query = (select(Observation.code, Observation.value).where(Observation.case_id == case_id)
             .order_by(col(Observation.effective_at)))
    return {code: value for code, value in (await session.exec(query)).all()}


async def decisions(session: AsyncSession, case_id: uuid.UUID) -> list[TriageDecision]:
    query = (select(TriageDecision).where(TriageDecision.case_id == case_id)
             .order_by(col(TriageDecision.decided_at).desc()))
    return list((await session.exec(query)).all())


async def queue_entry(session: AsyncSession, case_id: uuid.UUID) -> QueueEntry | None:
    return (await session.exec(select(QueueEntry).where(QueueEntry.case_id == case_id))).first()
