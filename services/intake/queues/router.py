from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy import Row

from services.intake.auth.dependencies import requires
from services.intake.auth.permissions import Permission
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.queues import service
from services.intake.queues.schemas import QueueItem, QueueListing, QueueName
from shared.audit import Entity, record_list_read
from shared.clock import utcnow

router = APIRouter(prefix="/queues", tags=["queues"])


@router.get("/{queue}/cases", response_model=QueueListing)
async def list_queue_cases(
    queue: QueueName,
    session: SessionDep,
    clinician: requires(Permission.READ_QUEUES),
    request_id: RequestIdDep,
    modality: Annotated[Literal["xray", "mri"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> QueueListing:
    """Open cases, most urgent first and then longest waiting, with waits against targets."""
    rows, counts = await service.list_queue(session, queue, modality, limit)
    list_id = f"queues/{queue}/{modality}" if modality else f"queues/{queue}"
    record_list_read(session, clinician.actor, list_id, (
        Entity("QueueEntry", row.entry_id, row.patient_id) for row in rows),
        request_id=request_id)
    items = [_item(row, utcnow()) for row in rows]
    return QueueListing(queue=queue, counts_by_urgency=counts,
                        breaches=sum(item.breached for item in items), items=items)


def _item(row: Row, now) -> QueueItem:
    waited, target, breached = service.waiting(row, now)
    return QueueItem(**row._mapping, waited_minutes=waited, target_minutes=target,
                     breached=breached)
