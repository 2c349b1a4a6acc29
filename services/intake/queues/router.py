from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from services.intake.auth.dependencies import requires
from services.intake.auth.permissions import Permission
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.queues import service
from services.intake.queues.schemas import QueueItem, QueueListing, QueueName
from shared.audit import record_audit

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
    entries, counts = await service.list_queue(session, queue, modality, limit)
    for entry, patient_id in entries:
        record_audit(session, clinician.actor, "read", "QueueEntry", entry.id,
                     patient_id=patient_id, request_id=request_id)
    await session.commit()
    return QueueListing(
        queue=queue,
        counts_by_urgency=counts,
        items=[QueueItem.model_validate(e, from_attributes=True) for e, _ in entries],
    )
