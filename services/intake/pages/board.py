"""The clinicians' queue board: every queue at a glance, refreshed by polling a fragment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.intake.auth.permissions import Permission
from services.intake.auth.principal import Principal
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.pages.access import staff_page
from services.intake.pages.rendering import render
from services.intake.queues import service as queues
from shared.audit import record_audit
from shared.clock import utcnow

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(staff_page(Permission.READ_QUEUES))]

# (queue, imaging modality, heading): imaging is split by modality.
COLUMNS = (("home_care", None, "Rest and home care"), ("physio", None, "Physiotherapy"),
           ("imaging", "xray", "Imaging: X-ray"), ("imaging", "mri", "Imaging: MRI"),
           ("surgical", None, "Surgical consult"))
PER_COLUMN = 50


@dataclass(frozen=True)
class Card:
    row: queues.Row
    waited_minutes: int
    target_minutes: int
    breached: bool


@dataclass(frozen=True)
class Column:
    queue: str
    modality: str | None
    heading: str
    counts: dict[str, int]
    cards: list[Card]

    @property
    def breaches(self) -> int:
        return sum(card.breached for card in self.cards)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@router.get("/staff/board")
async def board_page(request: Request, session: SessionDep, clinician: Reader,
                     request_id: RequestIdDep):
    return render(request, "board.html", principal=clinician, language="en",
                  columns=await _columns(session, clinician, request_id))


@router.get("/staff/board/fragment")
async def board_fragment(request: Request, session: SessionDep, clinician: Reader,
                         request_id: RequestIdDep):
    return render(request, "_board.html", language="en",
                  columns=await _columns(session, clinician, request_id))


async def _columns(session, clinician: Principal, request_id: str) -> list[Column]:
    now, columns = utcnow(), []
    for queue, modality, heading in COLUMNS:
        rows, counts = await queues.list_queue(session, queue, modality, PER_COLUMN)
        cards = [Card(row, *queues.waiting(row.entry, now)) for row in rows]
        for row in rows:
            record_audit(session, clinician.actor, "read", "QueueEntry", row.entry.id,
                         patient_id=row.patient_id, request_id=request_id)
        columns.append(Column(queue, modality, heading, counts, cards))
    await session.commit()
    return columns
