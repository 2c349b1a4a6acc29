"""The triage service's reads and writes. Flushes only: the task owns the transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Session, col, select

from services.triage.case_input import StoredCase
from shared.clinical_record import CHECK_IN_QUESTIONNAIRE_ID, QUESTIONNAIRE_ID
from shared.models import Case, IntakeResponse, Observation, Patient, TriageDecision


def lock_case(session: Session, case_id: uuid.UUID) -> Case | None:
    # Serialises concurrent re-triage of one case so queue entry and decision stay in step.
    return session.get(Case, case_id, with_for_update=True)


def decision_for_request(session: Session, request_id: uuid.UUID) -> TriageDecision | None:
    query = select(TriageDecision).where(TriageDecision.request_id == request_id)
    return session.exec(query).first()


def latest_answers(session: Session, case_id: uuid.UUID, questionnaire: str) -> dict | None:
    query = (select(IntakeResponse.answers)
             .where(IntakeResponse.case_id == case_id,
                    IntakeResponse.questionnaire == questionnaire)
             .order_by(col(IntakeResponse.authored_at).desc()).limit(1))
    return session.exec(query).first()


def latest_decision_time(session: Session, case_id: uuid.UUID) -> datetime | None:
    query = (select(TriageDecision.decided_at).where(TriageDecision.case_id == case_id)
             .order_by(col(TriageDecision.decided_at).desc()).limit(1))
    return session.exec(query).first()


def stored_case(session: Session, case: Case) -> StoredCase | None:
    """What the engine reads about the case; None before a pre-visit form exists."""
    answers = latest_answers(session, case.id, QUESTIONNAIRE_ID)
    if answers is None:
        return None
    return StoredCase(
        answers=answers,
        findings=current_findings(session, case.id),
        birth_date=patient_of(session, case).birth_date,
        opened_at=case.created_at,
        check_in=latest_answers(session, case.id, CHECK_IN_QUESTIONNAIRE_ID),
        previous_decision_at=latest_decision_time(session, case.id),
    )


def current_findings(session: Session, case_id: uuid.UUID) -> dict:
    query = (select(Observation.code, Observation.value).where(Observation.case_id == case_id)
             .order_by(col(Observation.effective_at)))
    return dict(session.exec(query).all())


def patient_of(session: Session, case: Case) -> Patient:
    return session.get_one(Patient, case.patient_id)
