from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.intake.queues.schemas import QueueName

Urgency = Literal["emergency", "urgent", "soon", "routine"]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Override(_Input):
    """A clinician's route for the case, replacing the engine's; the reason is required."""

    queue: QueueName
    imaging_modality: Literal["xray", "mri"] | None = None
    urgency: Urgency
    reason: Annotated[str, Field(min_length=10, max_length=2000,
                                 description="Why the engine's route is being changed")]

    @model_validator(mode="after")
    def _modality_only_for_imaging(self) -> Self:
        if self.queue == "imaging" and self.imaging_modality is None:
            raise ValueError("imaging_modality is required when the queue is imaging")
        if self.queue != "imaging" and self.imaging_modality is not None:
            raise ValueError("imaging_modality is only for the imaging queue")
        return self


class NoteCreate(_Input):
    text: Annotated[str, Field(min_length=1, max_length=4000)]


class Completion(_Input):
    outcome: Literal["completed", "discharged"]
    note: Annotated[str, Field(max_length=4000)] | None = None


class Assignment(_Input):
    case_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=200)]
    assignee_id: uuid.UUID


class ClaimState(BaseModel):
    case_id: uuid.UUID
    owner_id: str | None
    owner_name: str | None
    status: str
    claimed_at: datetime | None


class AssignmentResult(BaseModel):
    assigned: list[uuid.UUID]
    not_found: list[uuid.UUID]


class NotePublic(BaseModel):
    id: uuid.UUID
    author_id: str
    text: str
    created_at: datetime


class OverrideRecorded(BaseModel):
    decision_id: uuid.UUID
    queue: str
    imaging_modality: str | None
    urgency: str
