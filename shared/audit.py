"""Writes the audit trail: every read and write of patient data (FHIR AuditEvent)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.models import AuditEvent
from shared.statements import new_row


@dataclass(frozen=True)
class Actor:
    id: str
    role: str


SYSTEM_TRIAGE = Actor(id="service:triage", role="system")
SYSTEM_NOTIFY = Actor(id="service:notify", role="system")


def record_audit(session: Session | AsyncSession, actor: Actor, action: str, resource_type: str,
                 resource_id: uuid.UUID | str, **details) -> None:
    """Adds the event to the session's transaction; `details` as audit_event takes them."""
    session.add(AuditEvent(**audit_event(actor, action, resource_type, resource_id, **details)))


def audit_event(
    actor: Actor,
    action: str,
    resource_type: str,
    resource_id: uuid.UUID | str,
    *,
    patient_id: uuid.UUID | None,
    request_id: str | None = None,
    outcome: str = "success",
) -> dict:
    """The row's values, for a writer that stores it in a statement of its own
    (shared/statements.py)."""
    return new_row(AuditEvent, actor_id=actor.id, actor_role=actor.role, action=action,
                   resource_type=resource_type, resource_id=str(resource_id),
                   patient_id=patient_id, request_id=request_id, outcome=outcome)


@dataclass(frozen=True, slots=True)
class Entity:
    """One record a list showed, and whose data it is."""

    resource_type: str
    resource_id: uuid.UUID | str
    patient_id: uuid.UUID


LIST = "List"  # the resource_type of a list read; its entities name the records shown


def record_list_read(
    session: Session | AsyncSession,
    actor: Actor,
    list_id: str,
    entities: Iterable[Entity],
    *,
    request_id: str | None = None,
) -> None:
    """One event for one view of many patients' records (the queue board, a queue page): each
    record shown is an entity of the event, so every patient's trail still finds the read
    (services/intake/audit) while a board refresh writes one row, not one per card. A list
    that showed nothing disclosed nothing, and writes nothing."""
    shown = [{"type": e.resource_type, "id": str(e.resource_id), "patient_id": str(e.patient_id)}
             for e in entities]
    if not shown:
        return
    event = audit_event(actor, "read", LIST, list_id, patient_id=None, request_id=request_id)
    session.add(AuditEvent(**{**event, "entities": shown}))
