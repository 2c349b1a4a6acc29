"""The notify service's reads and writes. Flushes only: the task owns the transaction."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from services.notify.schedule import PlannedFollowUp
from shared.models import Case, FollowUp, FollowUpStatus, Patient, TriageDecision


def decision(session: Session, decision_id: uuid.UUID) -> TriageDecision | None:
    return session.get(TriageDecision, decision_id)


def add_follow_ups(session: Session, case_id: uuid.UUID, decision_id: uuid.UUID,
                   planned: list[PlannedFollowUp]) -> int:
    """Idempotent: a step that already exists for the decision is left alone."""
    if not planned:
        return 0
    rows = [FollowUp(case_id=case_id, decision_id=decision_id, step=p.step, kind=p.kind,
                     purpose=p.purpose, due_at=p.due_at,
                     next_attempt_at=p.due_at).model_dump() for p in planned]
    inserted = session.exec(insert(FollowUp).values(rows).on_conflict_do_nothing(
        constraint="uq_follow_ups_decision_step").returning(FollowUp.id))
    return len(inserted.all())


def cancel_open_follow_ups(session: Session, case_id: uuid.UUID, keep_decision: uuid.UUID) -> None:
    """A newer decision's plan replaces the older decisions' reminders that were not sent."""
    stale = select(FollowUp).where(FollowUp.case_id == case_id,
                                   FollowUp.decision_id != keep_decision,
                                   FollowUp.status == FollowUpStatus.SCHEDULED)
    for follow_up in session.exec(stale).all():
        follow_up.status = FollowUpStatus.CANCELLED
        session.add(follow_up)


def claim_due(session: Session, now: datetime, limit: int) -> list[FollowUp]:
    """Due follow-ups, locked so that a concurrent dispatcher skips them."""
    query = (select(FollowUp)
             .where(FollowUp.status == FollowUpStatus.SCHEDULED,
                    col(FollowUp.next_attempt_at) <= now)
             .order_by(col(FollowUp.next_attempt_at)).limit(limit).with_for_update(skip_locked=True))
    return list(session.exec(query).all())


def recipient(session: Session, follow_up: FollowUp) -> Patient:
    case = session.get_one(Case, follow_up.case_id)
    return session.get_one(Patient, case.patient_id)
