"""The notify service's reads and writes. Flushes only: the task owns the transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from pydantic import TypeAdapter
from sqlalchemy import JSON, bindparam, func, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from services.notify.schedule import PlannedFollowUp
from shared.contracts import DecisionOutcome, StoredFollowUpStep
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
from shared.statements import new_row


@dataclass(frozen=True)
class RoutedDecision:
    """What scheduling follow-ups and alerting staff read of a decision: not its stored
    inputs and reasoning, several kB of JSON a row."""

    id: uuid.UUID
    case_id: uuid.UUID
    urgency: str
    decided_at: datetime
    follow_up_plan: tuple[StoredFollowUpStep, ...]
    patient_timezone: str


# Only the plan of the stored outcome (shared/contracts.py DecisionOutcome), read as the contract
# types it.
_PLAN_FIELD = "follow_up_plan"
_PLAN = TypeAdapter(DecisionOutcome.model_fields[_PLAN_FIELD].annotation)

ROUTED_DECISION = (
    select(TriageDecision.id, TriageDecision.case_id, TriageDecision.urgency,
           TriageDecision.decided_at,
           TriageDecision.outcome[_PLAN_FIELD].label("follow_up_plan"),
           Patient.timezone)
    .join(Case, col(Case.id) == col(TriageDecision.case_id))
    .join(Patient, col(Patient.id) == col(Case.patient_id))
    .where(TriageDecision.id == bindparam("decision_id"))
)


def routed_decision(session: Session, decision_id: uuid.UUID) -> RoutedDecision | None:
    row = session.connection().execute(ROUTED_DECISION, {"decision_id": decision_id}).first()
    if row is None:
        return None
    return RoutedDecision(id=row.id, case_id=row.case_id, urgency=row.urgency,
                          decided_at=row.decided_at,
                          follow_up_plan=_PLAN.validate_python(row.follow_up_plan or ()),
                          patient_timezone=row.timezone)


def add_follow_ups(session: Session, case_id: uuid.UUID, decision_id: uuid.UUID,
                   planned: list[tuple[PlannedFollowUp, datetime]]) -> int:
    """Idempotent: a step that already exists for the decision is left alone.
    `planned` pairs each step with its first attempt time (out of quiet hours)."""
    if not planned:
        return 0
    rows = [new_row(FollowUp, case_id=case_id, decision_id=decision_id, step=p.step,
                    kind=p.kind, purpose=p.purpose, due_at=p.due_at, next_attempt_at=first)
            for p, first in planned]
    # On the connection: through the Session an INSERT of a mapped class takes the ORM's
    # bulk path (shared/statements.py says why that is avoided on hot paths).
    inserted = session.connection().execute(insert(FollowUp).values(rows).on_conflict_do_nothing(
        constraint="uq_follow_ups_decision_step").returning(FollowUp.id))
    return len(inserted.all())


def cancel_open_follow_ups(session: Session, case_id: uuid.UUID,
                           keep_decision: uuid.UUID | None = None) -> None:
    """A newer decision's plan replaces the older decisions' reminders that were not sent; a
    closed case (keep_decision None) keeps none."""
    stale = update(FollowUp).where(col(FollowUp.case_id) == case_id,
                                   col(FollowUp.status) == FollowUpStatus.SCHEDULED)
    if keep_decision is not None:
        stale = stale.where(col(FollowUp.decision_id) != keep_decision)
    session.exec(stale.values(status=FollowUpStatus.CANCELLED))


@dataclass(frozen=True)
class DueFollowUp:
    """A claimed follow-up and what sending it needs, read in the claim itself."""

    follow_up: FollowUp
    patient: Patient
    opted_out: set[str]  # channels the patient refused
    settled: dict[str, str]  # channel -> status: sent, or refused for good; not to be tried again


def claim_due(session: Session, now: datetime, limit: int) -> list[DueFollowUp]:
    """Up to `limit` follow-ups, most overdue first, each locked until the transaction ends; a
    concurrent dispatcher skips them (and takes the next) rather than waiting for them or
    sending them too. Only the follow-up rows are locked: two dispatchers may send to the same
    patient at once. One statement, so a claim costs one round trip however many it takes."""
    opted_out = (select(func.array_agg(ChannelOptOut.channel))
                 .where(ChannelOptOut.patient_id == Patient.id).scalar_subquery())
    settled = (select(func.json_object_agg(Delivery.channel, Delivery.status, type_=JSON))
               .where(Delivery.follow_up_id == FollowUp.id,
                      col(Delivery.status).in_([DeliveryStatus.SENT, DeliveryStatus.REJECTED]))
               .scalar_subquery())
    query = (select(FollowUp, Patient, opted_out, settled)
             .join(Case, col(Case.id) == FollowUp.case_id)
             .join(Patient, col(Patient.id) == Case.patient_id)
             .where(FollowUp.status == FollowUpStatus.SCHEDULED,
                    col(FollowUp.next_attempt_at) <= now)
             .order_by(col(FollowUp.next_attempt_at)).limit(limit)
             .with_for_update(skip_locked=True, of=FollowUp))
    return [DueFollowUp(follow_up, patient, set(refused or ()), dict(done or {}))
            for follow_up, patient, refused, done in session.exec(query).all()]


