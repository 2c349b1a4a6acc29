"""Staff withdraw a patient's links from the pages about the patient's case (the button under
the identity banner): the same service, permission and audit event as the API."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, status
from fastapi.responses import RedirectResponse

from services.intake.auth.permissions import Permission
from services.intake.auth.principal import Principal
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.pages.access import PageRefused, safe_next, staff_page
from services.intake.patients import service
from shared.audit import record_audit

router = APIRouter(include_in_schema=False)
Revoker = Annotated[Principal, Depends(staff_page(Permission.REVOKE_PATIENT_LINKS))]


@router.post("/staff/patients/{patient_id}/links/revoke")
async def revoke_links(patient_id: uuid.UUID, session: SessionDep, staff: Revoker,
                       request_id: RequestIdDep, next_page: Annotated[str, Form(alias="next")]):
    if await service.revoke_links(session, patient_id) is None:
        raise PageRefused(status.HTTP_404_NOT_FOUND, "error.not_found")
    record_audit(session, staff.actor, "revoke", "PatientLink", patient_id,
                 patient_id=patient_id, request_id=request_id)
    return RedirectResponse(f"{safe_next(next_page)}?links_revoked=1",
                            status_code=status.HTTP_303_SEE_OTHER)
