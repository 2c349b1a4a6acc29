from __future__ import annotations

from fastapi import APIRouter, status

from services.intake.dependencies import ActorDep, RequestIdDep, SessionDep
from services.intake.patients import service
from services.intake.patients.schemas import PatientCreate, PatientCreated, PatientPublic
from shared.audit import record_audit

router = APIRouter(prefix="/patients", tags=["patients"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PatientCreated,
    responses={409: {"description": "Possible duplicates found; candidates listed"}},
)
async def create_patient(
    data: PatientCreate, session: SessionDep, actor: ActorDep, request_id: RequestIdDep
) -> PatientCreated:
    patient, duplicates = await service.register_patient(session, data)
    record_audit(session, actor, "create", "Patient", patient.id, patient_id=patient.id,
                 request_id=request_id)
    await session.commit()
    return PatientCreated(
        patient=PatientPublic.model_validate(patient, from_attributes=True),
        possible_duplicates=duplicates,
    )
