from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from shared.routing import QUEUES

QueueName = Literal[QUEUES]


class QueueItem(BaseModel):
    case_id: uuid.UUID
    decision_id: uuid.UUID
    imaging_modality: str | None
    urgency: str
    status: str
    business_status: str
    owner_id: str | None
    entered_at: datetime
    due_at: datetime
    waited_minutes: int
    target_minutes: int
    breached: bool
    # Set when the case's latest decision moved it here from another queue or urgency.
    previous_queue: str | None
    previous_urgency: str | None
    routed_because: str  # the decision's trigger: intake, exam, check-in, override, sweep
    override_reason: str | None
    needs_clinician_review: bool


class QueueListing(BaseModel):
    queue: QueueName
    counts_by_urgency: dict[str, int]
    breaches: int
    items: list[QueueItem]
