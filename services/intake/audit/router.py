"""The accounting of disclosures: every read and write of one patient's records."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlmodel import col, select

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
    events = (await session.exec(
        select(AuditEvent).where(AuditEvent.patient_id == patient_id)
        .order_by(col(AuditEvent.occurred_at).desc(), col(AuditEvent.id).desc()).limit(limit)
    )).all()
    result = [AuditEventPublic.model_validate(e, from_attributes=True) for e in events]
    # Reading the trail is itself a disclosure of who saw the patient.
    record_audit(session, admin.actor, "read", "AuditTrail", patient_id, patient_id=patient_id,
                 request_id=request_id)
    await session.commit()
    return result
