from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from services.intake.auth.dependencies import requires
from services.intake.auth.permissions import Permission
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.queues import service
from services.intake.queues.schemas import QueueItem, QueueListing, QueueName
from shared.audit import record_audit
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
    for row in rows:
        record_audit(session, clinician.actor, "read", "QueueEntry", row.entry.id,
                     patient_id=row.patient_id, request_id=request_id)
    await session.commit()
    items = [_item(row, utcnow()) for row in rows]
    return QueueListing(queue=queue, counts_by_urgency=counts,
                        breaches=sum(item.breached for item in items), items=items)


def _item(row: service.Row, now) -> QueueItem:
    entry, decision = row.entry, row.decision
    waited, target, breached = service.waiting(entry, now)
    return QueueItem(
        **{name: getattr(entry, name) for name in (
            "case_id", "decision_id", "imaging_modality", "urgency", "status", "business_status",
            "owner_id", "entered_at", "due_at", "previous_queue", "previous_urgency")},
        waited_minutes=waited, target_minutes=target, breached=breached,
        routed_because=decision.trigger,
        override_reason=(decision.outcome.get("override") or {}).get("reason"),
        needs_clinician_review=decision.needs_clinician_review,
    )
