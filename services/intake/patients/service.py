"""Registering patients without creating the duplicates clinics complain about most."""

from __future__ import annotations

import uuid

from sqlalchemy import func, or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.errors import Conflict
from services.intake.patients.schemas import DuplicateCandidate, PatientCreate, PatientPublic
from shared.models import Patient


async def find_possible_duplicates(
    session: AsyncSession, data: PatientCreate
) -> list[DuplicateCandidate]:
    same_identity = (
        (func.lower(Patient.family_name) == data.family_name.lower())
        & (func.lower(Patient.given_name) == data.given_name.lower())
        & (Patient.birth_date == data.birth_date)
    )
    conditions = [same_identity]
    if data.email:
        conditions.append(func.lower(Patient.email) == data.email.lower())
    if data.phone:
        conditions.append(Patient.phone == data.phone)
    rows = (await session.exec(select(Patient).where(or_(*conditions)).limit(20))).all()
    return [DuplicateCandidate(patient=PatientPublic.model_validate(p, from_attributes=True),
                               matched_on=_matched_on(p, data)) for p in rows]


def _matched_on(patient: Patient, data: PatientCreate) -> list[str]:
    matched = []
    if (patient.family_name.lower(), patient.given_name.lower(), patient.birth_date) == (
        data.family_name.lower(), data.given_name.lower(), data.birth_date
    ):
        matched.append("name_and_birth_date")
    if data.email and patient.email and patient.email.lower() == data.email.lower():
        matched.append("email")
    if data.phone and patient.phone == data.phone:
        matched.append("phone")
    return matched


def duplicate_conflict(duplicates: list[DuplicateCandidate]) -> Conflict:
    return Conflict(
        "A patient with the same name and date of birth or the same contact details already "
        "exists. Use an existing patient, or resend with confirm_not_duplicate=true.",
        extra={"possible_duplicates": [d.model_dump(mode="json") for d in duplicates]},
    )


async def register_patient(session: AsyncSession, data: PatientCreate) -> Patient:
    patient = Patient(id=uuid.uuid4(), **data.model_dump(exclude={"confirm_not_duplicate"}))
    session.add(patient)
    await session.flush()
    return patient


async def get_patient(session: AsyncSession, patient_id: uuid.UUID) -> Patient | None:
    return await session.get(Patient, patient_id)
