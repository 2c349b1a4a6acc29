"""The routing vocabulary every service shares: queues, urgencies and imaging modalities, their
ranks, and how long a case may wait at each urgency. Defined here once; the engine, the message
contracts, the API's schemas and the staff pages take it from here. Pure: no I/O.

Wait targets follow the reference's urgency scale (shared/reference/clinical-rules.md, "Urgency
scale"): emergency is seen now, urgent within 24 h, soon within about a week, routine on the
ordinary waiting list (21 days is this clinic network's routine target).
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum


class Queue(StrEnum):
    """In rank order: each queue is a step more specialised than the one before."""

    HOME_CARE = "home_care"
    PHYSIO = "physio"
    IMAGING = "imaging"
    SURGICAL = "surgical"

    @property
    def rank(self) -> int:
        return QUEUE_RANK[self]


class Urgency(StrEnum):
    """Most urgent first."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    SOON = "soon"
    ROUTINE = "routine"

    @property
    def rank(self) -> int:
        """Higher is more urgent; lets callers compare and take the maximum."""
        return URGENCY_RANK[self]


class Modality(StrEnum):
    XRAY = "xray"
    MRI = "mri"


# Members are str: each map answers to the plain value ("urgent") as well as the member.
QUEUE_RANK: dict[str, int] = {queue: rank for rank, queue in enumerate(Queue)}
URGENCY_RANK: dict[str, int] = {urgency: rank for rank, urgency in enumerate(reversed(Urgency))}
WAIT_TARGETS: dict[str, timedelta] = {
    Urgency.EMERGENCY: timedelta(minutes=30),
    Urgency.URGENT: timedelta(hours=24),
    Urgency.SOON: timedelta(days=7),
    Urgency.ROUTINE: timedelta(days=21),
}

QUEUES = tuple(queue.value for queue in Queue)
URGENCIES = tuple(urgency.value for urgency in Urgency)  # most urgent first
