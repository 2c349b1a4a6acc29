"""The notify service's reads and writes. Flushes only: the task owns the transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from services.notify.schedule import PlannedFollowUp
from shared import opt_outs
from shared.models import (
    Case,
    ChannelOptOut,
    Delivery,
    DeliveryStatus,
    FollowUp,
    FollowUpStatus,
    Patient,
    TriageDecision,
)


def decision(session: Session, decision_id: uuid.UUID) -> TriageDecision | None:
    return session.get(TriageDecision, decision_id)


def add_follow_ups(session: Session, case_id: uuid.UUID, decision_id: uuid.UUID,
                   planned: list[tuple[PlannedFollowUp, datetime]]) -> int:
    """Idempotent: a step that already exists for the decision is left alone.
    `planned` pairs each step with its first attempt time (out of quiet hours)."""
    if not planned:
        return 0
    rows = [FollowUp(case_id=case_id, decision_id=decision_id, step=p.step, kind=p.kind,
                     purpose=p.purpose, due_at=p.due_at, next_attempt_at=first).model_dump()
            for p, first in planned]
    inserted = session.exec(insert(FollowUp).values(rows).on_conflict_do_nothing(
        constraint="uq_follow_ups_decision_step").returning(FollowUp.id))
    return len(inserted.all())


def cancel_open_follow_ups(session: Session, case_id: uuid.UUID,
                           keep_decision: uuid.UUID | None = None) -> None:
    """A newer decision's plan replaces the older decisions' reminders that were not sent; a
    closed case (keep_decision None) keeps none."""
    stale = select(FollowUp).where(FollowUp.case_id == case_id,
                                   FollowUp.status == FollowUpStatus.SCHEDULED)
    if keep_decision is not None:
        stale = stale.where(FollowUp.decision_id != keep_decision)
    for follow_up in session.exec(stale).all():
        follow_up.status = FollowUpStatus.CANCELLED
        session.add(follow_up)


def claim_next_due(session: Session, now: datetime) -> FollowUp | None:
    """The most overdue follow-up, locked until the transaction ends; a concurrent dispatcher
    skips it (and takes the next) rather than waiting for it or sending it too."""
    query = (select(FollowUp)
             .where(FollowUp.status == FollowUpStatus.SCHEDULED,
                    col(FollowUp.next_attempt_at) <= now)
             .order_by(col(FollowUp.next_attempt_at)).limit(1).with_for_update(skip_locked=True))
    return session.exec(query).first()


def recipient(session: Session, follow_up: FollowUp) -> Patient:
    return recipient_of_case(session, follow_up.case_id)


def opted_out_channels(session: Session, patient_id: uuid.UUID) -> set[str]:
    query = select(ChannelOptOut.channel).where(ChannelOptOut.patient_id == patient_id)
    return set(session.exec(query).all())


def settled_channels(session: Session, follow_up_id: uuid.UUID) -> dict[str, str]:
    """Channels this follow-up is done with: sent, or refused for good. Not to be tried again."""
    query = select(Delivery.channel, Delivery.status).where(
        Delivery.follow_up_id == follow_up_id,
        col(Delivery.status).in_([DeliveryStatus.SENT, DeliveryStatus.REJECTED]))
    return {channel: status for channel, status in session.exec(query).all()}


def add_opt_out(session: Session, patient_id: uuid.UUID, channel: str, via: str,
                at: datetime) -> None:
    session.exec(opt_outs.add_opt_out(patient_id, channel, via, at))


def patients_with_phone(session: Session, phone: str) -> list[uuid.UUID]:
    query = opt_outs.patients_with_phone(phone)
    return list(session.exec(query).all()) if query is not None else []


@dataclass(frozen=True)
class FailedDelivery:
    """One row of the staff's failed-deliveries list: ids and reason codes, no patient data."""

    follow_up_id: uuid.UUID
    case_id: uuid.UUID
    channel: str | None
    attempts: int
    last_error: str | None
    last_attempt_at: datetime | None


_FAILED = text("""
    SELECT f.id AS follow_up_id, f.case_id, d.channel, f.attempts, d.error AS last_error,
           d.attempted_at AS last_attempt_at
    FROM follow_ups f
    LEFT JOIN LATERAL (
        SELECT channel, error, attempted_at FROM deliveries
        WHERE follow_up_id = f.id AND status <> 'sent'
        ORDER BY attempted_at DESC, attempt DESC LIMIT 1
    ) d ON true
    WHERE f.status = 'failed'
    ORDER BY d.attempted_at DESC NULLS LAST, f.id
    LIMIT :limit
""")


def failed_deliveries(session: Session, limit: int = 100) -> list[FailedDelivery]:
    """Follow-ups that never reached the patient, most recent failure first."""
    return [FailedDelivery(**row._mapping)
            for row in session.connection().execute(_FAILED, {"limit": limit})]


def recipient_of_case(session: Session, case_id: uuid.UUID) -> Patient:
    case = session.get_one(Case, case_id)
    return session.get_one(Patient, case.patient_id)
