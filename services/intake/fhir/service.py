"""The database work of the FHIR interface: searching patients and responses, saving drafts,
and submitting a completed form through the same service as POST /cases."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, delete, func, literal, null, or_, select, union_all
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.auth.principal import Principal
from services.intake.cases import service as cases
from services.intake.cases.schemas import IntakeSubmission
from services.intake.errors import violated
from services.intake.fhir.canonical import RECORD_NUMBER_SYSTEM
from services.intake.fhir.outcomes import BadRequest
from services.intake.fhir.search import (
    Page,
    Search,
    date_condition,
    date_range,
    reference_id,
    token,
)
from shared.clinical_record import QUESTIONNAIRE_ID, PreVisitHistory
from shared.clock import utcnow
from shared.models import (
    Case,
    IntakeResponse,
    Patient,
    QuestionnaireResponseDraft,
    ResponseIdentifier,
)
from shared.models.questionnaire_response import RESPONSE_IDENTIFIER_KEY

COMPLETED, IN_PROGRESS = "completed", "in-progress"
RESPONSE_STATUSES = (IN_PROGRESS, COMPLETED, "amended", "entered-in-error", "stopped")


# Patients

async def search_patients(session: AsyncSession, search: Search,
                          principal: Principal) -> tuple[list[Patient], int]:
    query = select(Patient)
    if principal.is_patient:  # a patient finds only themselves
        query = query.where(col(Patient.id) == principal.patient_id)
    for name, values in search.values.items():
        for value in values:
            query = query.where(_patient_condition(name, value))
    rows, total = await _page(session, query, search.page, (
        col(Patient.family_name), col(Patient.given_name), col(Patient.id)))
    return [row[0] for row in rows], total


def _patient_condition(name: str, value: str):
    alternatives = [v for v in value.split(",") if v]  # a, b: either
    if not alternatives:
        raise BadRequest(f"{name} needs a value", field=name)
    return or_(*(_patient_value(name, v) for v in alternatives))


def _patient_value(name: str, value: str):
    if name == "_id":
        return col(Patient.id) == _uuid(value)
    if name == "identifier":
        system, code = token(value)
        if system not in (None, RECORD_NUMBER_SYSTEM):
            return literal(False)
        return col(Patient.record_number) == code
    if name == "name":  # FHIR string search: starts with, ignoring case, any part of the name
        prefix = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return or_(func.lower(Patient.given_name).like(prefix),
                   func.lower(Patient.family_name).like(prefix))
    if name == "birthdate":
        return date_condition(col(Patient.birth_date), date_range(name, value), is_date=True)
    if name == "gender":
        return col(Patient.sex) == value
    if name == "telecom":
        system, code = token(value)
        email = func.lower(Patient.email) == code.lower()
        phone = col(Patient.phone) == code
        return {"email": email, "phone": phone}.get(system or "", or_(email, phone)) \
            if system in (None, "", "email", "phone") else literal(False)
    raise BadRequest(f"unknown search parameter: {name}", field=name)


def _uuid(value: str) -> Any:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None  # no record has such an id: matches nothing


async def _page(session: AsyncSession, query: Select, page: Page, order) -> tuple[list, int]:
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()[0]
    rows = (await session.exec(query.order_by(*order).limit(page.count)
                               .offset(page.offset))).all()
    return list(rows), total


# Questionnaire responses: completed ones (intake_responses) and drafts, searched as one.

@dataclass(frozen=True)
class StoredResponse:
    id: uuid.UUID
    status: str
    patient_id: uuid.UUID
    case_id: uuid.UUID | None
    questionnaire: str
    version: str
    authored: datetime
    content: Any  # answers (completed) or the items as sent (a draft)


def _responses() -> tuple[Select, Select]:
    completed = select(
        col(IntakeResponse.id).label("id"), literal(COMPLETED, String).label("status"),
        col(Case.patient_id).label("patient_id"), col(IntakeResponse.case_id).label("case_id"),
        col(IntakeResponse.questionnaire).label("questionnaire"),
        col(IntakeResponse.questionnaire_version).label("version"),
        col(IntakeResponse.authored_at).label("authored"),
        col(IntakeResponse.answers).label("content"),
    ).join(Case, col(Case.id) == col(IntakeResponse.case_id))
    drafts = select(
        col(QuestionnaireResponseDraft.id).label("id"), literal(IN_PROGRESS, String).label("status"),
        col(QuestionnaireResponseDraft.patient_id).label("patient_id"),
        null().label("case_id"),
        col(QuestionnaireResponseDraft.questionnaire).label("questionnaire"),
        col(QuestionnaireResponseDraft.questionnaire_version).label("version"),
        col(QuestionnaireResponseDraft.updated_at).label("authored"),
        col(QuestionnaireResponseDraft.items).cast(JSONB).label("content"),
    )
    return completed, drafts


async def get_response(session: AsyncSession, response_id: uuid.UUID) -> StoredResponse | None:
    completed, drafts = _responses()
    query = union_all(completed.where(col(IntakeResponse.id) == response_id),
                      drafts.where(col(QuestionnaireResponseDraft.id) == response_id))
    row = (await session.exec(query)).first()
    return StoredResponse(*row) if row else None


async def search_responses(session: AsyncSession, search: Search, principal: Principal,
                           definition_filter) -> tuple[list[StoredResponse], int]:
    completed, drafts = _responses()
    statuses = {COMPLETED, IN_PROGRESS}
    if principal.is_patient:
        completed = completed.where(col(Case.patient_id) == principal.patient_id)
        drafts = drafts.where(col(QuestionnaireResponseDraft.patient_id) == principal.patient_id)
    for name, values in search.values.items():
        for value in values:
            if name == "status":
                wanted = set(value.split(","))
                if wanted - set(RESPONSE_STATUSES):
                    raise BadRequest(f"status must be one of {', '.join(RESPONSE_STATUSES)}",
                                     field="status")
                statuses &= wanted
                continue
            completed = completed.where(_response_condition(name, value, False,
                                                            definition_filter))
            drafts = drafts.where(_response_condition(name, value, True, definition_filter))
    chosen = [q for status, q in ((COMPLETED, completed), (IN_PROGRESS, drafts))
              if status in statuses]
    if not chosen:
        return [], 0
    union = (union_all(*chosen) if len(chosen) > 1 else chosen[0]).subquery()
    rows, total = await _page(session, select(union), search.page,
                              (union.c.authored.desc(), union.c.id))
    return [StoredResponse(*row) for row in rows], total


def _response_condition(name: str, value: str, draft: bool, definition_filter):
    table = QuestionnaireResponseDraft if draft else IntakeResponse
    if name == "_id":
        return col(table.id).in_([_uuid(v) for v in value.split(",")])
    if name == "patient":
        patient = col(QuestionnaireResponseDraft.patient_id) if draft else col(Case.patient_id)
        return patient.in_([_uuid(reference_id(v, "Patient")) for v in value.split(",")])
    if name == "questionnaire":
        return or_(*(_questionnaire_is(table, definition_filter(v)) for v in value.split(",")))
    if name == "authored":
        column = QuestionnaireResponseDraft.updated_at if draft else IntakeResponse.authored_at
        return date_condition(col(column), date_range(name, value))
    if name == "identifier":
        if draft:
            return literal(False)
        system, code = token(value)
        matching = select(ResponseIdentifier.intake_response_id).where(
            col(ResponseIdentifier.value) == code)
        if system is not None:
            matching = matching.where(col(ResponseIdentifier.system) == system)
        return col(IntakeResponse.id).in_(matching)
    raise BadRequest(f"unknown search parameter: {name}", field=name)


def _questionnaire_is(table, wanted: tuple[str, str | None] | None):
    if wanted is None:
        return literal(False)
    questionnaire_id, version = wanted
    condition = col(table.questionnaire) == questionnaire_id
    return condition & (col(table.questionnaire_version) == version) if version else condition


# Submitting and saving

class IdentifierTaken(Exception):
    pass


async def submit(session: AsyncSession, request_id: str, principal: Principal,
                 patient_id: uuid.UUID, history: PreVisitHistory,
                 identifier: tuple[str, str] | None, response_id: uuid.UUID | None) -> uuid.UUID:
    """Opens the case as POST /cases does (the same service call, so the same rows, outbox
    message and audit event) and in the same transaction records the response's identifier,
    gives the response the draft's id when a draft is completed, and removes the patient's
    drafts of this form. Returns the response's id."""
    response_id = response_id or uuid.uuid4()
    await cases.open_case(session, IntakeSubmission(patient_id=patient_id, history=history),
                          principal.actor, request_id, response_id=response_id,
                          opened_by_link=principal.link and principal.link.link_id)
    await session.execute(delete(QuestionnaireResponseDraft).where(
        col(QuestionnaireResponseDraft.patient_id) == patient_id,
        col(QuestionnaireResponseDraft.questionnaire) == QUESTIONNAIRE_ID))
    if identifier is not None:
        session.add(ResponseIdentifier(intake_response_id=response_id, system=identifier[0],
                                       value=identifier[1]))
        try:
            await session.flush()
        except IntegrityError as clash:
            if violated(clash) != RESPONSE_IDENTIFIER_KEY:
                raise
            raise IdentifierTaken() from None
    return response_id


async def save_draft(session: AsyncSession, principal: Principal, patient_id: uuid.UUID,
                     questionnaire: tuple[str, str], items: list,
                     draft: QuestionnaireResponseDraft | None = None
                     ) -> QuestionnaireResponseDraft:
    now = utcnow()
    draft = draft or QuestionnaireResponseDraft(patient_id=patient_id, created_at=now)
    draft.questionnaire, draft.questionnaire_version = questionnaire
    draft.items, draft.author_id, draft.updated_at = items, principal.actor.id, now
    session.add(draft)
    await session.flush()
    return draft


async def get_draft(session: AsyncSession, draft_id: uuid.UUID) -> QuestionnaireResponseDraft | None:
    return await session.get(QuestionnaireResponseDraft, draft_id)
