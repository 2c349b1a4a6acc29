"""The triage service's reads and writes. Flushes only: the task owns the transaction."""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from shared.models import Case, IntakeResponse, Observation, Patient, TriageDecision


def lock_case(session: Session, case_id: uuid.UUID) -> Case | None:
    # Serialises concurrent re-triage of one case so queue entry and decision stay in step.
    return session.get(Case, case_id, with_for_update=True)


def decision_for_request(session: Session, request_id: uuid.UUID) -> TriageDecision | None:
    query = select(TriageDecision).where(TriageDecision.request_id == request_id)
    return session.exec(query).first()


def latest_answers(session: Session, case_id: uuid.UUID) -> dict | None:
    query = (select(IntakeResponse.answers).where(IntakeResponse.case_id == case_id)
             .order_by(col(IntakeResponse.authored_at).desc()).limit(1))
    return session.exec(query).first()


def current_findings(session: Session, case_id: uuid.UUID) -> dict:
    query = (select(Observation.code, Observation.value).where(Observation.case_id == case_id)
             .order_by(col(Observation.effective_at)))
    return dict(session.exec(query).all())


def patient_of(session: Session, case: Case) -> Patient:
    return session.get_one(Patient, case.patient_id)
