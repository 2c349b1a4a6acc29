"""Reading a triage queue: most urgent first, then longest waiting, with breaches marked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.models import OPEN_QUEUE_STATUSES, Case, Patient, QueueEntry, TriageDecision
from shared.routing import URGENCIES, WAIT_TARGETS

# What a listing shows of an open entry, and nothing more: a decision's inputs and outcome are
# about 4.6 kB of JSON together, and decoding them for every row of the board was 28% of the
# API's busy time (py-spy, 10k stored cases). Rows answer to these names (row.case_id, ...).
_COLUMNS = (
    QueueEntry.id.label("entry_id"), QueueEntry.case_id, QueueEntry.decision_id,
    QueueEntry.queue, QueueEntry.imaging_modality, QueueEntry.urgency, QueueEntry.status,
    QueueEntry.business_status, QueueEntry.owner_id, QueueEntry.entered_at, QueueEntry.due_at,
    QueueEntry.previous_queue, QueueEntry.previous_urgency,
    TriageDecision.trigger.label("routed_because"),
    # The route's decision asked for review, or a later engine decision awaits a clinician.
    (col(TriageDecision.needs_clinician_review)
     | col(QueueEntry.review_decision_id).is_not(None)).label("needs_clinician_review"),
    col(QueueEntry.review_decision_id).is_not(None).label("engine_disagrees"),
    col(TriageDecision.outcome)["override"]["reason"].astext.label("override_reason"),
    Case.patient_id,  # for the audit trail
    # The identity on a board card (services/intake/patients/identity.py).
    Patient.given_name, Patient.family_name, Patient.birth_date, Patient.sex,
    Patient.record_number,
)


async def list_queue(session: AsyncSession, queue: str, modality: str | None, limit: int,
                     ) -> tuple[list[Row], dict[str, int]]:
    """The queue's open entries with their decisions (and patients, for the audit trail)."""
    scope = [QueueEntry.queue == queue, col(QueueEntry.status).in_(OPEN_QUEUE_STATUSES)]
    if modality:
        scope.append(QueueEntry.imaging_modality == modality)
    rows = (await session.exec(
        select(*_COLUMNS)
        .join(Case, col(Case.id) == col(QueueEntry.case_id))
        .join(Patient, col(Patient.id) == col(Case.patient_id))
        .join(TriageDecision, col(TriageDecision.id) == col(QueueEntry.decision_id))
        .where(*scope)
        .order_by(col(QueueEntry.urgency_rank).desc(), col(QueueEntry.entered_at))
        .limit(limit)
    )).all()
    counts = dict.fromkeys(URGENCIES, 0)
    totals = await session.exec(
        select(QueueEntry.urgency, func.count()).where(*scope).group_by(QueueEntry.urgency))
    counts.update(dict(totals.all()))
    return list(rows), counts


def waiting(row: Row, now: datetime) -> tuple[int, int, bool]:
    """Minutes waited, the urgency's target in minutes, and whether the target is breached."""
    waited = int((now - row.entered_at).total_seconds() // 60)
    target = int(WAIT_TARGETS[row.urgency].total_seconds() // 60)
    return waited, target, waited > target
