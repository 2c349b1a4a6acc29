"""The /fhir router every FHIR route module adds its routes to, and what they share: the
permissions of the writes, ids from the URL, and conditional creates (If-None-Exist)."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qsl

from fastapi import APIRouter

from services.intake.auth.dependencies import requires
from services.intake.auth.permissions import Permission
from services.intake.auth.principal import Principal
from services.intake.fhir.model import fhir_response
from services.intake.fhir.outcomes import BadRequest, FhirRoute, PreconditionFailed
from shared.audit import record_audit

router = APIRouter(prefix="/fhir", tags=["fhir"], route_class=FhirRoute,
                   include_in_schema=False)  # its contract is the CapabilityStatement
Submitter = requires(Permission.SUBMIT_INTAKE)
FrontDesk = requires(Permission.CREATE_PATIENT)


def parse_id(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def criteria_of(header: str) -> list[tuple[str, str]]:
    criteria = parse_qsl(header.split("?", 1)[-1], keep_blank_values=True)
    if not criteria:
        raise BadRequest("If-None-Exist must be search parameters, e.g. identifier=…",
                         field="header.if-none-exist")
    return criteria


async def existing_match(session, principal: Principal, request_id: str, total: int, found):
    """A conditional create that matched: one match answers it (200), several are refused."""
    if total > 1:
        raise PreconditionFailed("If-None-Exist matched more than one resource",
                                 field="header.if-none-exist")
    resource, resource_id, resource_type, patient_id = found()
    record_audit(session, principal.actor, "read", resource_type, resource_id,
                 patient_id=patient_id, request_id=request_id)
    return fhir_response(resource)


