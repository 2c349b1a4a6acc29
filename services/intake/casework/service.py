"""Working a case: claims, assignments, overrides, notes, completion. Flushes only.

Each action records its own audit event, so the API and the case page audit alike."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.auth.principal import Principal
from services.intake.casework.schemas import Completion, Override
from services.intake.errors import Conflict, InvalidReference, NotFound
from shared.alert_acknowledgement import acknowledge_alerts
from shared.audit import record_audit
from shared.contracts import CaseClosed, CaseRouted
from shared.models import (
    OPEN_QUEUE_STATUSES,
    Case,
    CaseNote,
    CaseStatus,
    QueueEntry,
    Role,
    StaffAlert,
    TriageDecision,
    User,
)
from shared.outbox import add_to_outbox
from shared.queue_placement import PLACE_ON_QUEUE, placement


async def _entry(session: AsyncSession, case_id: uuid.UUID) -> QueueEntry:
    entry = (await session.exec(select(QueueEntry).where(QueueEntry.case_id == case_id))).first()
    if entry is None:
        raise NotFound(f"no queued case with id {case_id}", field="path.case_id")
    return entry


async def display_name(session: AsyncSession, user_id: str | None) -> str | None:
    if user_id is None:
        return None
    user = await session.get(User, uuid.UUID(user_id))
    return user.display_name if user else None


def _audit(session: AsyncSession, clinician: Principal, action: str, resource_type: str,
           resource_id: uuid.UUID, case: Case, request_id: str) -> None:
    record_audit(session, clinician.actor, action, resource_type, resource_id,
                 patient_id=case.patient_id, request_id=request_id)


async def claim(session: AsyncSession, case: Case, clinician: Principal, now: datetime,
                request_id: str) -> QueueEntry:
    """Exactly one of two clinicians claiming at once wins: the row update is conditional."""
    case_id, me = case.id, str(clinician.user_id)
    won = (await session.execute(
        update(QueueEntry)
        .where(col(QueueEntry.case_id) == case_id, col(QueueEntry.owner_id).is_(None),
               col(QueueEntry.status).in_(OPEN_QUEUE_STATUSES))
        .values(owner_id=me, claimed_at=now, status="in-progress", business_status="claimed",
                updated_at=now)
        .returning(QueueEntry.id)
    )).first()
    entry = await _entry(session, case_id)
    if won is None and entry.owner_id != me:
        owner = await display_name(session, entry.owner_id)
        raise Conflict(f"This case is already claimed by {owner or 'another clinician'}.",
                       extra={"owner_id": entry.owner_id, "owner_name": owner})
    # Taking the case answers its alerts.
    await session.execute(acknowledge_alerts(case_id, clinician.user_id, now))
    await session.refresh(entry)
    _audit(session, clinician, "claim", "QueueEntry", entry.id, case, request_id)
    return entry


async def acknowledge(session: AsyncSession, case: Case, clinician: Principal, now: datetime,
                      request_id: str) -> None:
    """Stops the case's alerts: no more of each kind until something new (services/notify/
    staff_alerts.py)."""
    await session.execute(acknowledge_alerts(case.id, clinician.user_id, now))
    _audit(session, clinician, "acknowledge_alerts", "Case", case.id, case, request_id)


async def open_alerts(session: AsyncSession, case_id: uuid.UUID) -> int:
    """Staff alerts about the case that no clinician has acknowledged yet."""
    return (await session.execute(
        select(func.count()).select_from(StaffAlert)
        .where(col(StaffAlert.case_id) == case_id,
               col(StaffAlert.acknowledged_at).is_(None)))).scalar_one()


async def release(session: AsyncSession, case: Case, clinician: Principal, now: datetime,
                  request_id: str) -> QueueEntry:
    entry = await _entry(session, case.id)
    if entry.owner_id != str(clinician.user_id):
        raise Conflict("Only the clinician who claimed this case can release it; reassign it "
                       "instead.")
    _set_owner(entry, None, now)
    session.add(entry)
    _audit(session, clinician, "release", "QueueEntry", entry.id, case, request_id)
    return entry


async def assign(session: AsyncSession, case_ids: list[uuid.UUID], assignee_id: uuid.UUID,
                 now: datetime, lead: Principal, request_id: str,
                 ) -> tuple[list[QueueEntry], list[uuid.UUID]]:
    """Each change is audited on its own."""
    assignee = await session.get(User, assignee_id)
    if assignee is None or not assignee.is_active or assignee.role != Role.CLINICIAN:
        raise InvalidReference(f"no active clinician with id {assignee_id}",
                               field="body.assignee_id")
    entries = (await session.exec(select(QueueEntry).where(
        col(QueueEntry.case_id).in_(case_ids),
        col(QueueEntry.status).in_(OPEN_QUEUE_STATUSES)))).all()
    for entry in entries:
        _set_owner(entry, str(assignee_id), now)
        session.add(entry)
        _audit(session, lead, "assign", "QueueEntry", entry.id,
               await session.get(Case, entry.case_id), request_id)
    found = {e.case_id for e in entries}
    return list(entries), [case_id for case_id in case_ids if case_id not in found]


def _set_owner(entry: QueueEntry, owner_id: str | None, now: datetime) -> None:
    entry.owner_id = owner_id
    entry.claimed_at = now if owner_id else None
    entry.status = "in-progress" if owner_id else "requested"
    entry.business_status = "claimed" if owner_id else "waiting"
    entry.updated_at = now


async def override(session: AsyncSession, case: Case, data: Override, clinician: Principal,
                   now: datetime, request_id: str) -> TriageDecision:
    """A clinician's route is a new decision beside the engine's; nothing stored is edited.
    It answers any engine decision waiting for a clinician (the placement clears it)."""
    # The triage worker locks the case while it reads the route and decides whether it may
    # replace it; locking it here too means neither acts on a route the other just changed.
    await session.execute(select(Case.id).where(Case.id == case.id).with_for_update())
    engine_decision = await _latest_decision(session, case.id)
    outcome = dict(engine_decision.outcome) if engine_decision else {}
    outcome.update(queue=data.queue, imaging_modality=data.imaging_modality,
                   urgency=data.urgency, override={
                       "reason": data.reason, "by": clinician.actor.id,
                       "replaces_decision_id": str(engine_decision.id) if engine_decision else None})
    decision = TriageDecision(
        case_id=case.id, request_id=uuid.uuid4(), source="clinician", trigger="override",
        author_id=clinician.actor.id, queue=data.queue, imaging_modality=data.imaging_modality,
        urgency=data.urgency, needs_clinician_review=False,
        ruleset_version=engine_decision.ruleset_version if engine_decision else "",
        ruleset_hash=engine_decision.ruleset_hash if engine_decision else "",
        inputs=engine_decision.inputs if engine_decision else {}, outcome=outcome, decided_at=now)
    session.add(decision)
    await session.flush()
    await session.execute(PLACE_ON_QUEUE, placement(case.id, decision.id, data.queue,
                                                    data.imaging_modality, data.urgency, now))
    case.status, case.updated_at = CaseStatus.ROUTED, now
    session.add(case)
    add_to_outbox(session, CaseRouted(message_id=uuid.uuid4(), case_id=case.id,
                                      decision_id=decision.id))
    _audit(session, clinician, "override", "TriageDecision", decision.id, case, request_id)
    return decision


async def _latest_decision(session: AsyncSession, case_id: uuid.UUID) -> TriageDecision | None:
    return (await session.exec(
        select(TriageDecision).where(TriageDecision.case_id == case_id)
        .order_by(col(TriageDecision.decided_at).desc()).limit(1))).first()


async def add_note(session: AsyncSession, case: Case, text: str, clinician: Principal,
                   now: datetime, request_id: str) -> CaseNote:
    note = _note(session, case, text, clinician, now)
    await session.flush()
    _audit(session, clinician, "create", "CaseNote", note.id, case, request_id)
    return note


def _note(session: AsyncSession, case: Case, text: str, clinician: Principal,
          now: datetime) -> CaseNote:
    note = CaseNote(case_id=case.id, author_id=clinician.actor.id, text=text, created_at=now)
    session.add(note)
    return note


async def notes(session: AsyncSession, case_id: uuid.UUID) -> list[CaseNote]:
    return list((await session.exec(select(CaseNote).where(CaseNote.case_id == case_id)
                                    .order_by(col(CaseNote.created_at)))).all())


async def complete(session: AsyncSession, case: Case, data: Completion, clinician: Principal,
                   now: datetime, request_id: str) -> QueueEntry:
    entry = await _entry(session, case.id)
    if entry.status not in OPEN_QUEUE_STATUSES:
        raise Conflict(f"This case is already {entry.business_status}.")
    entry.status, entry.business_status, entry.updated_at = "completed", data.outcome, now
    case.status, case.updated_at = CaseStatus.CLOSED, now
    session.add_all([entry, case])
    if data.note:
        _note(session, case, data.note, clinician, now)
    add_to_outbox(session, CaseClosed(message_id=uuid.uuid4(), case_id=case.id))
    _audit(session, clinician, data.outcome, "Case", case.id, case, request_id)
    return entry
