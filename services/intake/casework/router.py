"""Clinicians working the triage queues: claim, release, assign, override, note, complete."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.intake.auth.dependencies import requires
from services.intake.auth.permissions import Permission
from services.intake.cases.service import get_case
from services.intake.casework import service
from services.intake.casework.schemas import (
    Assignment,
    AssignmentResult,
    ClaimState,
    Completion,
    NoteCreate,
    NotePublic,
    Override,
    OverrideRecorded,
)
from services.intake.dependencies import RequestIdDep, SessionDep
from shared.clock import utcnow
from shared.models import QueueEntry

router = APIRouter(tags=["casework"])
Clinician = requires(Permission.WORK_QUEUES)
CONFLICT = {409: {"description": "Claimed by someone else, or already closed"}}
MISSING = {404: {"description": "No such case"}}


async def _claim_state(session, entry: QueueEntry) -> ClaimState:
    return ClaimState(case_id=entry.case_id, owner_id=entry.owner_id, status=entry.status,
                      owner_name=await service.display_name(session, entry.owner_id),
                      claimed_at=entry.claimed_at)


@router.post("/cases/{case_id}/claim", response_model=ClaimState, responses=CONFLICT | MISSING)
async def claim_case(case_id: uuid.UUID, session: SessionDep, clinician: Clinician,
                     request_id: RequestIdDep) -> ClaimState:
    case = await get_case(session, case_id)
    entry = await service.claim(session, case, clinician, utcnow(), request_id)
    return await _claim_state(session, entry)


@router.post("/cases/{case_id}/release", response_model=ClaimState, responses=CONFLICT | MISSING)
async def release_case(case_id: uuid.UUID, session: SessionDep, clinician: Clinician,
                       request_id: RequestIdDep) -> ClaimState:
    case = await get_case(session, case_id)
    entry = await service.release(session, case, clinician, utcnow(), request_id)
    return await _claim_state(session, entry)


@router.post("/queues/assignments", response_model=AssignmentResult,
             responses={422: {"description": "Unknown assignee"}})
async def assign_cases(data: Assignment, session: SessionDep, lead: Clinician,
                       request_id: RequestIdDep) -> AssignmentResult:
    """Assign or reassign several cases at once; each change is audited on its own."""
    entries, not_found = await service.assign(session, data.case_ids, data.assignee_id,
                                              utcnow(), lead, request_id)
    return AssignmentResult(assigned=[e.case_id for e in entries], not_found=not_found)


@router.post("/cases/{case_id}/override", status_code=status.HTTP_201_CREATED,
             response_model=OverrideRecorded, responses=MISSING)
async def override_route(case_id: uuid.UUID, data: Override, session: SessionDep,
                         clinician: Clinician, request_id: RequestIdDep) -> OverrideRecorded:
    """Route the case differently from the engine, with a written reason (a new decision)."""
    case = await get_case(session, case_id)
    decision = await service.override(session, case, data, clinician, utcnow(), request_id)
    return OverrideRecorded(decision_id=decision.id, queue=decision.queue,
                            imaging_modality=decision.imaging_modality, urgency=decision.urgency)


@router.post("/cases/{case_id}/notes", status_code=status.HTTP_201_CREATED,
             response_model=NotePublic, responses=MISSING)
async def add_note(case_id: uuid.UUID, data: NoteCreate, session: SessionDep,
                   clinician: Clinician, request_id: RequestIdDep) -> NotePublic:
    case = await get_case(session, case_id)
    note = await service.add_note(session, case, data.text, clinician, utcnow(), request_id)
    return NotePublic.model_validate(note, from_attributes=True)


@router.post("/cases/{case_id}/complete", response_model=ClaimState,
             responses=CONFLICT | MISSING)
async def complete_case(case_id: uuid.UUID, data: Completion, session: SessionDep,
                        clinician: Clinician, request_id: RequestIdDep) -> ClaimState:
    """Complete or discharge the case with an outcome; its open reminders stop."""
    case = await get_case(session, case_id)
    entry = await service.complete(session, case, data, clinician, utcnow(), request_id)
    return await _claim_state(session, entry)
