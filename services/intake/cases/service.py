"""Opening a case from a pre-visit form, recording exam findings, and reading a case back.

Every change that needs triage writes a TriageCase message to the outbox in the same
transaction, so it reaches the triage worker exactly when, and only if, the change commits.
"""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.cases.schemas import ExamSubmission, IntakeSubmission
from services.intake.errors import (
    Conflict,
    InvalidReference,
    NotFound,
    is_foreign_key_violation,
    violated,
)
from shared.audit import Actor, audit_event
from shared.clinical_record import QUESTIONNAIRE_ID, QUESTIONNAIRE_VERSION
from shared.clock import utcnow
from shared.contracts import TriageCase
from shared.models import (
    AuditEvent,
    Case,
    CaseStatus,
    IntakeResponse,
    Observation,
    OutboxMessage,
    QueueEntry,
    TriageDecision,
)
from shared.models.case import OPEN_CASE_PER_LINK
from shared.outbox import add_to_outbox, outbox_row
from shared.statements import insert_row, new_row, row_parameters

# The most frequent write, as one statement built once: the case, its answers, its triage
# request and its audit row in one round trip (PostgreSQL checks the foreign keys of
# data-modifying CTEs at the end of the statement).
OPEN_CASE = insert_row(Case, "case_").add_cte(
    insert_row(IntakeResponse, "answers_").cte("answers"),
    insert_row(OutboxMessage, "triage_request_").cte("triage_request"),
    insert_row(AuditEvent, "audit_").cte("audit"))
_OPEN_CASE_OF_LINK = select(Case.id).where(Case.opened_by_link == bindparam("link"),
                                           Case.status != CaseStatus.CLOSED)


class OpenCaseExists(Conflict):
    """The patient link this form came through already opened a case that is still open."""

    def __init__(self, case_id: uuid.UUID | None):
        super().__init__(
            f"this link already opened case {case_id}, which is still open: the clinic has "
            "your answers" if case_id else "this link already opened a case",
            extra={"open_case_id": str(case_id) if case_id else None})
        self.case_id = case_id


async def open_case(session: AsyncSession, submission: IntakeSubmission, actor: Actor,
                    request_id: str, opened_by_link: str | None = None,
                    response_id: uuid.UUID | None = None) -> dict:
    """Opens the case in the request's transaction; returns the case's row. The answers get
    `response_id` when given. Through a patient link (`opened_by_link`, the link's id) only
    while no case that link opened is still open: OpenCaseExists, naming it."""
    case = new_row(Case, patient_id=submission.patient_id, opened_by_link=opened_by_link)
    answers = new_row(IntakeResponse, case_id=case["id"], questionnaire=QUESTIONNAIRE_ID,
                      questionnaire_version=QUESTIONNAIRE_VERSION,
                      answers=submission.history.model_dump(mode="json", exclude_none=True),
                      **({"id": response_id} if response_id else {}))
    triage_request = outbox_row(TriageCase(message_id=uuid.uuid4(), case_id=case["id"],
                                           reason="intake_submitted"))
    audit = audit_event(actor, "create", "Case", case["id"], patient_id=submission.patient_id,
                        request_id=request_id)
    try:
        await (await session.connection()).execute(OPEN_CASE, {
            **row_parameters(case, "case_"), **row_parameters(answers, "answers_"),
            **row_parameters(triage_request, "triage_request_"),
            **row_parameters(audit, "audit_")})
    except IntegrityError as clash:
        await session.rollback()  # the transaction is aborted; nothing of it can commit
        if violated(clash) == OPEN_CASE_PER_LINK:
            # The key, not a look-up first: two forms racing through one link open one case.
            raise OpenCaseExists((await session.execute(
                _OPEN_CASE_OF_LINK, {"link": opened_by_link})).scalar()) from None
        if is_foreign_key_violation(clash):  # every other row refers to this case
            raise InvalidReference(f"no patient with id {submission.patient_id}",
                                   field="body.patient_id") from None
        raise
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
