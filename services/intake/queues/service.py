"""Reading a triage queue: most urgent first, then longest waiting."""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.contracts import URGENCIES
from shared.models import Case, QueueEntry

OPEN_STATUSES = ("requested", "accepted", "in-progress")


async def list_queue(session: AsyncSession, queue: str, modality: str | None, limit: int,
                     ) -> tuple[list[tuple[QueueEntry, uuid.UUID]], dict[str, int]]:
    """The queue's open entries (each with its patient's id, for the audit trail) and counts."""
    scope = [QueueEntry.queue == queue, col(QueueEntry.status).in_(OPEN_STATUSES)]
    if modality:
        scope.append(QueueEntry.imaging_modality == modality)
    items = (await session.exec(
        select(QueueEntry, Case.patient_id).join(Case, col(Case.id) == col(QueueEntry.case_id))
        .where(*scope)
        .order_by(col(QueueEntry.urgency_rank).desc(), col(QueueEntry.entered_at))
        .limit(limit)
    )).all()
    counts = dict.fromkeys(URGENCIES, 0)
    rows = await session.exec(
        select(QueueEntry.urgency, func.count()).where(*scope).group_by(QueueEntry.urgency)
    )
    counts.update({urgency: n for urgency, n in rows.all()})
    return list(items), counts
