"""/fhir routes of the outbound resources: read and search for each `Outbound` the mapping
modules declare, made by one pair of thin route builders so every resource is authorised,
filtered to the patient's own records, audited and paged the same way.

No `from __future__ import annotations` here: the routes' annotations name each resource's
access dependency built in the enclosing function, which FastAPI must see as objects."""

import uuid

from fastapi import APIRouter, Request, Response

from services.intake.auth.permissions import Permission
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.errors import NotFound
from services.intake.fhir import records
from services.intake.fhir.access import Reader, ensure_may_read, reading
from services.intake.fhir.audit_events import AUDIT_EVENTS
from services.intake.fhir.capability import interaction
from services.intake.fhir.communications import DELIVERIES, REQUESTS
from services.intake.fhir.decisions import IMPRESSIONS, REFERRALS, RISKS
from services.intake.fhir.episodes import EPISODES
from services.intake.fhir.model import fhir_response
from services.intake.fhir.observations import OBSERVATIONS
from services.intake.fhir.outcomes import BadRequest
from services.intake.fhir.patients import patient_resource
from services.intake.fhir.records import Outbound
from services.intake.fhir.search import INCLUDE, parse_search, resource_url, searchset
from services.intake.fhir.tasks import PATIENT_INCLUDE, TASKS
from services.intake.patients import service as patients
from shared.audit import Entity, record_audit, record_list_read

OUTBOUND = (EPISODES, OBSERVATIONS, IMPRESSIONS, RISKS, REFERRALS, TASKS, REQUESTS, DELIVERIES,
            AUDIT_EVENTS)


def _read_route(spec: Outbound):
    async def read(resource_id: str, session: SessionDep, request_id: RequestIdDep,
                   principal: reading(spec.type, "read", spec.permission)) -> Response:
        row = await records.read(session, spec, resource_id)
        if row is None or (principal.is_patient and principal.patient_id != row.patient_id):
            raise NotFound(f"no {spec.type} with id {resource_id[:64]}", field=f"{spec.type}.id")
        record_audit(session, principal.actor, "read", spec.type, row.id,
                     patient_id=row.patient_id, request_id=request_id)
        return fhir_response(spec.resource(row))

    read.__name__ = f"read_{spec.type.lower()}"
    return read


def _search_route(spec: Outbound):
    async def search(request: Request, session: SessionDep, request_id: RequestIdDep,
                     principal: reading(spec.type, "search-type", spec.permission)) -> Response:
        search = parse_search(request, spec.search, includes=spec.includes)
        if spec is AUDIT_EVENTS and not search.values.get("patient"):
            raise BadRequest("give the patient whose audit trail to read", field="patient")
        found, total = await records.search(
            session, spec, search, principal.patient_id if principal.is_patient else None)
        included = await _included(session, principal, search.values.get(INCLUDE, []), found)
        shown = [Entity(spec.type, row.id, row.patient_id) for row in found
                 if row.patient_id is not None] + \
            [Entity("Patient", p.id, p.id) for p in included]
        if spec is AUDIT_EVENTS:  # reading the trail discloses who saw the patient
            for patient_id in _patients(search.values["patient"]):
                record_audit(session, principal.actor, "read", "AuditTrail", patient_id,
                             patient_id=patient_id, request_id=request_id)
        else:
            record_list_read(session, principal.actor, f"fhir/{spec.type}", shown,
                             request_id=request_id)
        return fhir_response(searchset(
            request, search.page, total,
            [(spec.resource(row), resource_url(request, spec.type, row.id), None)
             for row in found],
            [(patient_resource(p), resource_url(request, "Patient", p.id)) for p in included]))

    search.__name__ = f"search_{spec.type.lower()}"
    return search


def _patients(values: list[str]) -> set[uuid.UUID]:
    return {found for value in values for one in value.split(",")
            if (found := records.patient_uuid(one)) is not None}


async def _included(session, principal: Reader, includes: list[str], found: list) -> list:
    if PATIENT_INCLUDE not in includes:
        return []
    ensure_may_read(principal, "Patient", "read", Permission.READ_CASE)
    wanted = sorted({row.patient_id for row in found}, key=str)
    return [p for p in [await patients.get_patient(session, i) for i in wanted] if p]


def add_routes(router: APIRouter) -> None:
    """Adds each outbound resource's read and search to the FHIR router (router.py), so they
    are its own routes, declared in its CapabilityStatement."""
    for spec in OUTBOUND:
        router.add_api_route(f"/{spec.type}/{{resource_id}}", _read_route(spec),
                             methods=["GET"], openapi_extra=interaction(spec.type, "read"))
        router.add_api_route(f"/{spec.type}", _search_route(spec), methods=["GET"],
                             openapi_extra=interaction(spec.type, "search-type",
                                                       search=spec.search,
                                                       include=spec.includes))
