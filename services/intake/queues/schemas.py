from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

QueueName = Literal["home_care", "physio", "imaging", "surgical"]


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


class QueueListing(BaseModel):
    queue: QueueName
    counts_by_urgency: dict[str, int]
    items: list[QueueItem]
