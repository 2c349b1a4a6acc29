from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from services.intake.auth.dependencies import requires
from services.intake.auth.permissions import Permission
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.errors import NotFound
from services.intake.patients import service
from services.intake.patients.schemas import (
    LinkRequest,
    LinksRevoked,
    PatientCreate,
    PatientCreated,
    PatientLinkIssued,
    PatientPublic,
)
from shared.audit import record_audit
from shared.clock import utcnow
from shared.patient_links import DEFAULT_LIFETIME, PatientLink, sign_link

router = APIRouter(prefix="/patients", tags=["patients"])
FrontDesk = requires(Permission.CREATE_PATIENT)
LinkRevoker = requires(Permission.REVOKE_PATIENT_LINKS)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PatientCreated,
    responses={409: {"description": "Possible duplicates found; candidates listed"}},
)
async def create_patient(data: PatientCreate, session: SessionDep, staff: FrontDesk,
                         request_id: RequestIdDep) -> PatientCreated:
    duplicates = await service.find_possible_duplicates(session, data)
    for candidate in duplicates:  # showing a candidate discloses that patient's record
        record_audit(session, staff.actor, "read", "Patient", candidate.patient.id,
                     patient_id=candidate.patient.id, request_id=request_id)
    if duplicates and not data.confirm_not_duplicate:
        await session.commit()
        raise service.duplicate_conflict(duplicates)
    patient = await service.register_patient(session, data)
    record_audit(session, staff.actor, "create", "Patient", patient.id, patient_id=patient.id,
                 request_id=request_id)
    return PatientCreated(patient=PatientPublic.model_validate(patient, from_attributes=True),
                          possible_duplicates=duplicates)


@router.post("/{patient_id}/links", status_code=status.HTTP_201_CREATED,
             response_model=PatientLinkIssued, responses={404: {"description": "No such patient"}})
async def issue_patient_link(patient_id: uuid.UUID, data: LinkRequest, request: Request,
                             session: SessionDep, staff: FrontDesk,
                             request_id: RequestIdDep) -> PatientLinkIssued:
    """A signed, expiring link the patient uses instead of a password (e.g. for the form)."""
    if (patient := await service.get_patient(session, patient_id)) is None:
        raise NotFound(f"no patient with id {patient_id}", field="path.patient_id")
    settings = request.app.state.settings
    now = utcnow()
    token = sign_link(settings.secret_key, PatientLink(
        patient_id=patient_id, purpose=data.purpose, generation=patient.link_generation), now)
    record_audit(session, staff.actor, "create", "PatientLink", patient_id,
                 patient_id=patient_id, request_id=request_id)
    return PatientLinkIssued(token=token, url=f"{settings.public_url}/form?token={token}",
                             expires_at=now + DEFAULT_LIFETIME)


@router.post("/{patient_id}/links/revoke", response_model=LinksRevoked,
             responses={404: {"description": "No such patient"}})
async def revoke_patient_links(patient_id: uuid.UUID, session: SessionDep, staff: LinkRevoker,
                               request_id: RequestIdDep) -> LinksRevoked:
    """Every link issued to the patient until now stops working at once, and so do the page
    sessions opened with them; links issued afterwards work."""
    if await service.revoke_links(session, patient_id) is None:
        raise NotFound(f"no patient with id {patient_id}", field="path.patient_id")
    record_audit(session, staff.actor, "revoke", "PatientLink", patient_id,
                 patient_id=patient_id, request_id=request_id)
    return LinksRevoked(patient_id=patient_id, revoked_at=utcnow())
