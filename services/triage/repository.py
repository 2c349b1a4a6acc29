"""The triage service's reads and writes: one query reads a case, one statement stores what
was decided. The task owns the transaction.

Why so few statements: a query per table and the ORM's unit of work made up most of the
worker's time per case (bench, triage sustained rate: 14 ms a case, a fifth of the baseline's
rate). PostgreSQL runs the data-modifying CTEs of `store_decision` in one round trip and checks
their foreign keys at the end of the statement.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, exists, func, select, update
from sqlalchemy.orm import aliased
from sqlmodel import col

from services.triage.engine.stored_case import StoredCase
from services.triage.route_guard import Route
from shared.clinical_record import CHECK_IN_QUESTIONNAIRE_ID, QUESTIONNAIRE_ID
from shared.models import (
    AuditEvent,
    Case,
    CaseStatus,
    IntakeResponse,
    Observation,
    OutboxMessage,
    Patient,
    QueueEntry,
    TriageDecision,
)
from shared.queue_placement import PLACE_ON_QUEUE, placement
from shared.statements import insert_row, row_parameters


@dataclass(frozen=True)
class CaseForTriage:
    """A locked case, whether this request was decided already, what the engine reads
    (`stored` is None before a pre-visit form exists), and the route it is on now (None before
    its first placement)."""

    id: uuid.UUID
    patient_id: uuid.UUID
    status: str
    already_decided: bool
    stored: StoredCase | None
    route: Route | None = None


def _latest_answers(questionnaire: str):
    return (select(IntakeResponse.answers)
            .where(IntakeResponse.case_id == Case.id, IntakeResponse.questionnaire == questionnaire)
            .order_by(col(IntakeResponse.authored_at).desc()).limit(1).scalar_subquery())


def _current_findings():
    # jsonb_object_agg keeps the last value of a repeated code: ordered by time, the latest.
    latest_last = (func.jsonb_object_agg(Observation.code, Observation.value)
                   .aggregate_order_by(col(Observation.effective_at)))
    return select(latest_last).where(Observation.case_id == Case.id).scalar_subquery()


def _previous_decision_at():
    return (select(func.max(TriageDecision.decided_at))
            .where(TriageDecision.case_id == Case.id).scalar_subquery())


PLACED = aliased(TriageDecision, name="placed")


def _read_case():
    # FOR UPDATE OF cases serialises concurrent re-triage of one case (and a clinician's
    # override, which locks the case too), so the route read here is the route replaced.
    return (select(Case.id, Case.patient_id, Case.status, Case.created_at, Patient.birth_date,
                   Patient.sex,
                   QueueEntry.queue.label("placed_queue"),
                   QueueEntry.urgency.label("placed_urgency"),
                   PLACED.source.label("placed_source"),
                   exists().where(TriageDecision.request_id == bindparam("request_id"))
                   .label("decided"),
                   _latest_answers(QUESTIONNAIRE_ID).label("answers"),
                   _latest_answers(CHECK_IN_QUESTIONNAIRE_ID).label("check_in"),
                   _current_findings().label("findings"),
                   _previous_decision_at().label("previous_decision_at"))
            .join(Patient, Patient.id == Case.patient_id)
            .outerjoin(QueueEntry, col(QueueEntry.case_id) == Case.id)
            .outerjoin(PLACED, PLACED.id == QueueEntry.decision_id)
            .where(Case.id == bindparam("case_id")).with_for_update(of=Case))


def _store_decision():
    routed = (update(Case).where(Case.id == bindparam("decision_case_id"))
              .values(status=CaseStatus.ROUTED, updated_at=bindparam("placement_entered_at")))
    return PLACE_ON_QUEUE.add_cte(
        insert_row(TriageDecision, "decision_").cte("decision"),
        insert_row(AuditEvent, "audit_").cte("audit"),
        routed.cte("routed_case"),
        insert_row(OutboxMessage, "announcement_").cte("announcement"))


def _keep_route(escalate: bool):
    """The engine's decision stored beside the route the case keeps; with `escalate`, the queue
    entry names it for a clinician's review and an event says so. The decision's parameters
    are prefixed "held_": executed with a parameter named like a column of an updated table
    ("decision_id"), an UPDATE would also set that column."""
    routed = (update(Case).where(Case.id == bindparam("held_case_id"))
              .values(status=CaseStatus.ROUTED, updated_at=bindparam("held_decided_at")))
    statement = insert_row(TriageDecision, "held_").add_cte(
        insert_row(AuditEvent, "audit_").cte("audit"), routed.cte("routed_case"))
    if not escalate:
        return statement
    for_review = (update(QueueEntry).where(col(QueueEntry.case_id) == bindparam("held_case_id"))
                  .values(review_decision_id=bindparam("held_id"),
                          updated_at=bindparam("held_decided_at")))
    return statement.add_cte(for_review.cte("for_review"),
                             insert_row(OutboxMessage, "announcement_").cte("announcement"))


# Built once (shared/statements.py says why).
READ_CASE = _read_case()
STORE_DECISION = _store_decision()
KEEP_ROUTE = _keep_route(escalate=False)
KEEP_ROUTE_AND_ESCALATE = _keep_route(escalate=True)


def case_for_triage(connection: Connection, case_id: uuid.UUID,
                    request_id: uuid.UUID) -> CaseForTriage | None:
    """The case, locked for this transaction; None when no such case exists."""
    row = connection.execute(READ_CASE, {"case_id": case_id,
                                         "request_id": request_id}).one_or_none()
    if row is None:
        return None
    stored = None if row.answers is None else StoredCase(
        answers=row.answers, findings=row.findings or {}, birth_date=row.birth_date,
        opened_at=row.created_at, check_in=row.check_in,
        previous_decision_at=row.previous_decision_at, sex=row.sex)
    route = None if row.placed_queue is None else Route(
        queue=row.placed_queue, urgency=row.placed_urgency, source=row.placed_source)
    return CaseForTriage(id=row.id, patient_id=row.patient_id, status=row.status,
                         already_decided=row.decided, stored=stored, route=route)


def store_decision(connection: Connection, decision: dict, audit: dict, announcement: dict,
                   now: datetime) -> None:
    """The decision, its audit row, the case on its queue and marked routed, and the message
    that announces it: one statement."""
    connection.execute(STORE_DECISION, {
        **row_parameters(decision, "decision_"),
        **row_parameters(audit, "audit_"),
        **row_parameters(announcement, "announcement_"),
        **placement(decision["case_id"], decision["id"], decision["queue"],
                    decision["imaging_modality"], decision["urgency"], now)})


def store_kept_decision(connection: Connection, decision: dict, audit: dict,
                        escalation: dict | None) -> None:
    """The decision and its audit row, the case marked routed on the route it already has;
    with an `escalation` (an outbox row), the queue entry names the decision for review."""
    parameters = {**row_parameters(decision, "held_"), **row_parameters(audit, "audit_")}
    if escalation is None:
        connection.execute(KEEP_ROUTE, parameters)
        return
    connection.execute(KEEP_ROUTE_AND_ESCALATE,
                       {**parameters, **row_parameters(escalation, "announcement_")})
