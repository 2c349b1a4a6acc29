"""The clinicians' queue board: every queue at a glance, refreshed by polling a fragment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy import Row

from services.intake.auth.permissions import Permission
from services.intake.auth.principal import Principal
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.pages.access import staff_page
from services.intake.pages.formatting import humanise_minutes
from services.intake.pages.rendering import render
from services.intake.patients.identity import identity_entities, identity_of
from services.intake.patients.schemas import PatientIdentity
from services.intake.queues import service as queues
from shared.audit import Entity, record_list_read
from shared.clock import utcnow

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(staff_page(Permission.READ_QUEUES))]

# (queue, imaging modality, heading): imaging is split by modality.
COLUMNS = (("home_care", None, "Rest and home care"), ("physio", None, "Physiotherapy"),
           ("imaging", "xray", "Imaging: X-ray"), ("imaging", "mri", "Imaging: MRI"),
           ("surgical", None, "Surgical consult"))
PER_COLUMN = 50
BOARD_LIST = "staff/board"  # the list the audit trail names for a board view


@dataclass(frozen=True, slots=True)
class Card:
    """One case as the card shows it, its texts made once here so the template is markup."""

    row: Row
    patient: PatientIdentity
    waited: str  # "3 h 5 min"
    target: str  # "3 weeks"
    breached: bool
    moved_from: str | None  # "physio (soon) after exam recorded", when a decision moved it

    @classmethod
    def of(cls, row: Row, now: datetime) -> Card:
        waited, target, breached = queues.waiting(row, now)
        return cls(row, identity_of(row, row.patient_id, now.date()), humanise_minutes(waited),
                   humanise_minutes(target), breached, _moved_from(row))


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
        columns.append(Column(queue, modality, heading, counts,
                              [Card.of(row, now) for row in rows]))
    # One audit event for the view, naming every case it showed and every patient it named.
    cards = [card for column in columns for card in column.cards]
    record_list_read(session, clinician.actor, BOARD_LIST, [
        *(Entity("QueueEntry", card.row.entry_id, card.row.patient_id) for card in cards),
        *identity_entities(card.row.patient_id for card in cards)], request_id=request_id)
    return columns


def _moved_from(row: Row) -> str | None:
    if not row.previous_queue or (row.previous_queue, row.previous_urgency) == (
            row.queue, row.urgency):
        return None
    return (f"{row.previous_queue.replace('_', ' ')} ({row.previous_urgency}) after "
            f"{row.routed_because.replace('_', ' ')}")
