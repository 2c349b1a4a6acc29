"""Reading a triage queue: most urgent first, then longest waiting, with breaches marked."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.contracts import URGENCIES
from shared.models import OPEN_QUEUE_STATUSES, Case, QueueEntry, TriageDecision
from shared.queue_targets import WAIT_TARGETS


@dataclass(frozen=True)
class Row:
    entry: QueueEntry
    decision: TriageDecision
    patient_id: uuid.UUID


async def list_queue(session: AsyncSession, queue: str, modality: str | None, limit: int,
                     ) -> tuple[list[Row], dict[str, int]]:
    """The queue's open entries with their decisions (and patients, for the audit trail)."""
    scope = [QueueEntry.queue == queue, col(QueueEntry.status).in_(OPEN_QUEUE_STATUSES)]
    if modality:
        scope.append(QueueEntry.imaging_modality == modality)
    rows = (await session.exec(
        select(QueueEntry, TriageDecision, Case.patient_id)
        .join(Case, col(Case.id) == col(QueueEntry.case_id))
        .join(TriageDecision, col(TriageDecision.id) == col(QueueEntry.decision_id))
        .where(*scope)
        .order_by(col(QueueEntry.urgency_rank).desc(), col(QueueEntry.entered_at))
        .limit(limit)
    )).all()
    counts = dict.fromkeys(URGENCIES, 0)
    totals = await session.exec(
        select(QueueEntry.urgency, func.count()).where(*scope).group_by(QueueEntry.urgency))
    counts.update(dict(totals.all()))
    return [Row(*row) for row in rows], counts


def waiting(entry: QueueEntry, now: datetime) -> tuple[int, int, bool]:
    """Minutes waited, the urgency's target in minutes, and whether the target is breached."""
    waited = int((now - entry.entered_at).total_seconds() // 60)
    target = int(WAIT_TARGETS[entry.urgency].total_seconds() // 60)
    return waited, target, waited > target
