"""The CDS services: what each one is, and answering a call. Flushes only; the route commits.

Each CDS Hooks service answers exactly one hook, so the triage advice is offered as two
services (patient-view, encounter-start) and the Ottawa check as two (order-sign,
order-select), each pair sharing its logic and its prefetch templates.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.cds_hooks import prefetch
from services.intake.cds_hooks.auth import Caller
from services.intake.cds_hooks.clinical_data import PatientData, UnusableData, patient_data
from services.intake.cds_hooks.ottawa import ottawa_card, xray_orders
from services.intake.cds_hooks.schemas import (
    Card,
    CdsService,
    Discovery,
    EncounterStartContext,
    HookRequest,
    HookResponse,
    OrderSelectContext,
    OrderSignContext,
    PatientViewContext,
)
from services.intake.cds_hooks.triage_card import triage_card
from services.triage.engine import evaluate
from shared.audit import Actor, record_audit
from shared.models import Case, CaseStatus, CdsCard, Patient, QueueEntry, TriageDecision

TRIAGE, OTTAWA = "triage", "ottawa"


@dataclass(frozen=True)
class Service:
    definition: CdsService
    kind: str
    context: type[BaseModel]


_TRIAGE_TEXT = ("The clinic's ankle and lower-leg triage for this patient: the proposed queue "
                "and urgency from their pre-visit answers and exam findings, the likely "
                "conditions, the rules that fired with their evidence, what is missing, and "
                "an order for the proposed route.")
_OTTAWA_TEXT = ("Checks a draft ankle or foot X-ray against the Ottawa ankle and foot rules "
                "for this patient's injury and exam: says when it is not indicated, or what "
                "is missing to decide; silent when it is plainly indicated.")
_USAGE = ("Send the patient's completed ankle-previsit QuestionnaireResponse, their exam "
          "Observations (this server's exam-finding codes) and the Patient, as prefetched or "
          "through fhirServer with read access to them.")
_TEMPLATES = dict(prefetch.TEMPLATES)
SERVICES = {service.definition.id: service for service in (
    Service(CdsService(hook="patient-view", id="ankle-triage", title="Ankle triage",
                       description=_TRIAGE_TEXT, prefetch=_TEMPLATES, usageRequirements=_USAGE),
            TRIAGE, PatientViewContext),
    Service(CdsService(hook="encounter-start", id="ankle-triage-encounter-start",
                       title="Ankle triage at the start of an encounter",
                       description=_TRIAGE_TEXT, prefetch=_TEMPLATES, usageRequirements=_USAGE),
            TRIAGE, EncounterStartContext),
    Service(CdsService(hook="order-sign", id="ottawa-xray-check",
                       title="Ottawa rules for an ankle or foot X-ray", description=_OTTAWA_TEXT,
                       prefetch=_TEMPLATES, usageRequirements=_USAGE),
            OTTAWA, OrderSignContext),
    Service(CdsService(hook="order-select", id="ottawa-xray-check-order-select",
                       title="Ottawa rules for an ankle or foot X-ray, as it is chosen",
                       description=_OTTAWA_TEXT, prefetch=_TEMPLATES,
                       usageRequirements=_USAGE),
            OTTAWA, OrderSelectContext),
)}


class UnknownService(Exception):
    """404."""


class BadRequest(Exception):
    """400: the request is malformed (the message names where, never the data)."""


def discovery() -> Discovery:
    return Discovery(services=[s.definition for s in SERVICES.values()])


def service_of(service_id: str) -> Service:
    if service_id not in SERVICES:
        raise UnknownService(f"no CDS service {service_id[:64]}: see GET /cds-services")
    return SERVICES[service_id]


def parse_call(service: Service, body: object) -> tuple[HookRequest, BaseModel]:
    try:
        hook = HookRequest.model_validate(body)
    except ValidationError as invalid:
        raise BadRequest(where(invalid, "request")) from None
    if hook.hook != service.definition.hook:
        raise BadRequest(f"service {service.definition.id} answers the "
                         f"{service.definition.hook} hook, not another")
    try:
        context = service.context.model_validate(hook.context)
    except ValidationError as invalid:
        raise BadRequest(where(invalid, "context")) from None
    return hook, context


def where(invalid: ValidationError, part: str) -> str:
    places = sorted({".".join(str(p) for p in e["loc"])[:64] or part for e in invalid.errors()})
    return f"malformed {part}: {', '.join(places[:10])}"


@dataclass(frozen=True)
class Call:
    service: Service
    hook: HookRequest
    context: BaseModel
    caller: Caller
    base: str  # the public base URL, for links
    now: datetime
    timeout: float
    request_id: str


async def answer(session: AsyncSession, call: Call) -> HookResponse:
    if call.service.kind == OTTAWA:
        orders = xray_orders(call.context.draftOrders,
                             getattr(call.context, "selections", None))
        if not orders:
            return HookResponse(cards=[])
        data = await _patient_data(call)
        card = ottawa_card(data.case_input if data else None, orders, call.base)
        advice = {"ottawa": card.summary if card else "indicated",
                  "orders": [o.reference for o in orders]}
    else:
        data = await _patient_data(call)
        if data is None:
            return HookResponse(cards=[])  # no pre-visit answers: nothing to advise
        decision = evaluate(data.case_input)
        case_id, _decision = await _case_of(session, call.context.patientId, data)
        card = triage_card(decision, base=call.base, patient_id=call.context.patientId,
                           user_id=call.context.userId, response_id=data.response_id,
                           case_id=case_id, now=call.now)
        advice = {"queue": decision.queue.value, "urgency": decision.urgency.value,
                  "imaging_modality": decision.imaging_modality,
                  "rules": [rule.rule_id for rule in decision.rules_fired],
                  "ruleset_version": decision.ruleset_version,
                  "ruleset_hash": decision.ruleset_hash}
    if card is None:
        return HookResponse(cards=[])
    await _remember(session, call, card, advice, data)
    return HookResponse(cards=[card])


async def _patient_data(call: Call) -> PatientData | None:
    keys = tuple(prefetch.TEMPLATES)
    values, fetched = await prefetch.gather(call.hook, keys, call.timeout)
    try:
        return patient_data(values, call.context.patientId, call.now)
    except UnusableData as problem:
        if fetched:  # what the EHR's server gave cannot be used: the data is not available
            raise prefetch.DataUnavailable(str(problem)) from None
        raise BadRequest(f"prefetch: {problem}") from None


async def _case_of(session: AsyncSession, patient_id: str, data: PatientData
                   ) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The clinic's case these answers belong to (the response's episode, else the patient's
    latest open case) and its current decision, when the patient is one of ours."""
    patient = _uuid(patient_id)
    if patient is None:
        return None, None
    case = await session.get(Case, data.case_id) if data.case_id else None
    if case is None or case.patient_id != patient:
        case = (await session.exec(
            select(Case).where(Case.patient_id == patient, Case.status != CaseStatus.CLOSED)
            .order_by(col(Case.created_at).desc()).limit(1))).first()
    if case is None:
        return None, None
    placed = (await session.exec(select(QueueEntry.decision_id)
                                 .where(QueueEntry.case_id == case.id))).first()
    latest = placed or (await session.exec(
        select(TriageDecision.id).where(TriageDecision.case_id == case.id)
        .order_by(col(TriageDecision.decided_at).desc()).limit(1))).first()
    return case.id, latest


async def _remember(session: AsyncSession, call: Call, card: Card, advice: dict,
                    data: PatientData | None) -> None:
    patient = _uuid(call.context.patientId)
    ours = patient if patient and await session.get(Patient, patient) else None
    case_id = decision_id = None
    if ours and data is not None:
        case_id, decision_id = await _case_of(session, call.context.patientId, data)
    session.add(CdsCard(
        id=uuid.UUID(card.uuid), service_id=call.service.definition.id,
        hook=call.hook.hook, hook_instance=call.hook.hookInstance[:64],
        issuer=call.caller.issuer, patient_id=ours, case_id=case_id, decision_id=decision_id,
        indicator=card.indicator.value, advice=advice,
        suggestion_ids=[s.uuid for s in card.suggestions or [] if s.uuid]))
    record_audit(session, ehr_actor(call.caller), "create", "CdsCard", card.uuid,
                 patient_id=ours, request_id=call.request_id)
    await session.flush()


def ehr_actor(caller: Caller) -> Actor:
    return Actor(id=f"ehr:{caller.issuer}"[:64], role="ehr")


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
