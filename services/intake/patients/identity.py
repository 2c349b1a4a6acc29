"""The patient identity banner every staff page about a case shows (two-identifier rule: a
patient is identified by at least two of name, date of birth and record number before anything
is done for them). Showing it discloses the Patient record, so each page audits it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.patients.schemas import PatientIdentity
from shared.audit import Actor, Entity, record_audit
from shared.clock import utcnow
from shared.models import Patient


def age_on(birth_date: date, today: date) -> int:
    had_birthday = (today.month, today.day) >= (birth_date.month, birth_date.day)
    return today.year - birth_date.year - (0 if had_birthday else 1)


def identity_of(patient: Any, patient_id: uuid.UUID | None = None,
                today: date | None = None) -> PatientIdentity:
    """From a Patient, or any row with its identity columns (the board's listing rows)."""
    return PatientIdentity(
        patient_id=patient_id or patient.id, given_name=patient.given_name,
        family_name=patient.family_name, birth_date=patient.birth_date,
        age_years=age_on(patient.birth_date, today or utcnow().date()), sex=patient.sex,
        record_number=patient.record_number)


async def identities(session: AsyncSession,
                     patient_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, PatientIdentity]:
    wanted = set(patient_ids)
    if not wanted:
        return {}
    patients = (await session.exec(select(Patient).where(col(Patient.id).in_(wanted)))).all()
    return {p.id: identity_of(p) for p in patients}


def record_identity_read(session: AsyncSession, actor: Actor, patient_id: uuid.UUID,
                         request_id: str | None) -> None:
    record_audit(session, actor, "read", "Patient", patient_id, patient_id=patient_id,
                 request_id=request_id)


def identity_entities(patient_ids: Iterable[uuid.UUID]) -> list[Entity]:
    """A list view's Patient entities: one per patient shown, however many cards."""
    return [Entity("Patient", patient_id, patient_id) for patient_id in dict.fromkeys(patient_ids)]
