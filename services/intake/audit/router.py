"""The accounting of disclosures: every read and write of one patient's records."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import col, or_, select

from services.intake.auth.dependencies import requires
from services.intake.auth.permissions import Permission
from services.intake.dependencies import RequestIdDep, SessionDep
from shared.audit import record_audit
from shared.models import AuditEvent

router = APIRouter(tags=["audit"])


class AuditEventPublic(BaseModel):
    occurred_at: datetime
    actor_id: str
    actor_role: str
    action: str
    resource_type: str
    resource_id: str
    request_id: str | None
    outcome: str


@router.get("/patients/{patient_id}/audit-events", response_model=list[AuditEventPublic])
async def patient_audit_trail(
    patient_id: uuid.UUID, session: SessionDep, admin: requires(Permission.READ_AUDIT),
    request_id: RequestIdDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AuditEventPublic]:
    rows = (await session.exec(_trail(patient_id).limit(limit))).all()
    result = [AuditEventPublic.model_validate(row._mapping) for row in rows]
    # Reading the trail is itself a disclosure of who saw the patient.
    record_audit(session, admin.actor, "read", "AuditTrail", patient_id, patient_id=patient_id,
                 request_id=request_id)
    return result


def _trail(patient_id: uuid.UUID):
    """The patient's events, newest first: those about the patient, and each record of the
    patient's that a list read showed (shared/audit.py record_list_read), as one row each
    naming that record, as if it had been read alone."""
    mine = {"patient_id": str(patient_id)}
    shown = sa.func.jsonb_array_elements(AuditEvent.entities).table_valued(
        sa.column("value", JSONB)).lateral("shown")
    return (
        select(AuditEvent.occurred_at, AuditEvent.actor_id, AuditEvent.actor_role,
               AuditEvent.action,
               sa.func.coalesce(shown.c.value["type"].astext,
                                AuditEvent.resource_type).label("resource_type"),
               sa.func.coalesce(shown.c.value["id"].astext,
                                AuditEvent.resource_id).label("resource_id"),
               AuditEvent.request_id, AuditEvent.outcome)
        .outerjoin(shown, shown.c.value.contains(mine))
        .where(or_(AuditEvent.patient_id == patient_id,
                   col(AuditEvent.entities).contains([mine])))
        .order_by(col(AuditEvent.occurred_at).desc(), col(AuditEvent.id).desc())
    )
