"""Writes the audit trail: every read and write of patient data (FHIR AuditEvent)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    id: str
    role: str


SYSTEM_TRIAGE = Actor(id="service:triage", role="system")
SYSTEM_NOTIFY = Actor(id="service:notify", role="system")


def record_audit(session: Session | AsyncSession, actor: Actor, action: str, resource_type: str,
                 resource_id: uuid.UUID | str, **details) -> None:
    """Adds the event to the session's transaction; `details` as audit_event takes them."""
    session.add(audit_event(actor, action, resource_type, resource_id, **details))


def audit_event(
    actor: Actor,
    action: str,
    resource_type: str,
    resource_id: uuid.UUID | str,
    *,
    patient_id: uuid.UUID | None,
    request_id: str | None = None,
    outcome: str = "success",
) -> AuditEvent:
    """The row, for a writer that stores it in a statement of its own."""
    return AuditEvent(actor_id=actor.id, actor_role=actor.role, action=action,
                      resource_type=resource_type, resource_id=str(resource_id),
                      patient_id=patient_id, request_id=request_id, outcome=outcome)
