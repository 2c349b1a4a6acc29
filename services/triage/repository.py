"""The triage service's reads and writes. Flushes only: the task owns the transaction."""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from shared.models import Case, IntakeResponse, Observation, Patient, QueueEntry, TriageDecision


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


def put_on_queue(session: Session, entry: QueueEntry) -> None:
    """One queue entry per case: a new decision moves the existing entry.

    A re-route keeps the entry's claim (status, owner) and its original entry time: the patient
    has been waiting since then, whichever queue they are on now.
    """
    values = entry.model_dump()
    changed = {k: values[k] for k in (
        "decision_id", "queue", "imaging_modality", "urgency", "urgency_rank", "due_at",
        "updated_at")}
    session.exec(
        insert(QueueEntry).values(**values)
        .on_conflict_do_update(index_elements=[QueueEntry.case_id], set_=changed)
    )
