"""The CapabilityStatement, generated from the routes the FHIR router registers: each route
declares its interaction (`interaction(...)`), so the statement lists exactly what is served
and cannot drift from it (tests/integration/test_fhir_capability.py checks both ways)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from fastapi import APIRouter
from fastapi.routing import APIRoute
from fhirclient.models.capabilitystatement import (
    CapabilityStatement,
    CapabilityStatementImplementation,
    CapabilityStatementRest,
    CapabilityStatementRestResource,
    CapabilityStatementRestResourceInteraction,
    CapabilityStatementRestResourceOperation,
    CapabilityStatementRestResourceSearchParam,
    CapabilityStatementRestSecurity,
    CapabilityStatementSoftware,
)
from fhirclient.models.codeableconcept import CodeableConcept
from fhirclient.models.coding import Coding
from fhirclient.models.fhirdatetime import FHIRDateTime

from services.intake.fhir.canonical import FHIR_JSON, FHIR_VERSION
from services.intake.fhir.model import extension, make
from services.intake.fhir.search import SearchParameter

KEY = "x-fhir"
# Published operation definitions of the standard operations we implement.
OPERATIONS = {"match": "http://hl7.org/fhir/OperationDefinition/Patient-match"}
RELEASED = "2026-11-30"
OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"


@dataclass(frozen=True)
class Interaction:
    resource: str
    code: str  # read | vread | update | create | search-type | operation
    search: tuple[SearchParameter, ...] = ()
    operation: str | None = None
    conditional_create: bool = False
    include: tuple[str, ...] = ()  # what `_include` may name (Task:patient)


def interaction(resource: str, code: str, **details) -> dict:
    """A route's `openapi_extra`: what it implements."""
    return {KEY: Interaction(resource, code, **details)}


def interactions(router: APIRouter) -> list[Interaction]:
    return [route.openapi_extra[KEY] for route in router.routes
            if isinstance(route, APIRoute) and route.openapi_extra and KEY in route.openapi_extra]


def capability_statement(router: APIRouter, base_url: str, software_version: str
                         ) -> CapabilityStatement:
    by_resource: dict[str, list[Interaction]] = defaultdict(list)
    for declared in interactions(router):
        by_resource[declared.resource].append(declared)
    return make(
        CapabilityStatement, status="active", date=FHIRDateTime(RELEASED), kind="instance",
        fhirVersion=FHIR_VERSION, format=[FHIR_JSON, "json"],
        software=make(CapabilityStatementSoftware, name="Ankle triage intake",
                      version=software_version),
        implementation=make(CapabilityStatementImplementation, url=base_url,
                            description="Ankle and lower-leg pain intake and triage"),
        rest=[make(
            CapabilityStatementRest, mode="server",
            security=_security(base_url),
            resource=[_resource(name, declared)
                      for name, declared in sorted(by_resource.items())])])


def _security(base_url: str) -> CapabilityStatementRestSecurity:
    return make(
        CapabilityStatementRestSecurity, cors=False,
        service=[make(CodeableConcept, coding=[make(
            Coding, system="http://terminology.hl7.org/CodeSystem/restful-security-service",
            code="SMART-on-FHIR")])],
        extension=[extension(OAUTH_URIS, extension=[
            extension("token", valueUri=f"{base_url}/auth/token")])],
        description=(
            "Authorization: Bearer <token>: a staff session token (POST /auth/sign-in) or a "
            "patient link token, with the REST API's roles (a patient's token reaches only that "
            "patient's records); or, system to system, a SMART Backend Services access token "
            "(client credentials with a signed JWT assertion, RS384 or ES384, at the token "
            "endpoint; scopes such as system/Task.read; see .well-known/smart-configuration). "
            "Every read and search is audited."))


def _resource(name: str, declared: list[Interaction]) -> CapabilityStatementRestResource:
    codes = sorted({d.code for d in declared if d.code != "operation"})
    search = [p for d in declared for p in d.search]
    operations = sorted({d.operation for d in declared if d.operation})
    return make(
        CapabilityStatementRestResource, type=name, versioning="no-version",
        readHistory=False, updateCreate=False,
        conditionalCreate=any(d.conditional_create for d in declared),
        interaction=[make(CapabilityStatementRestResourceInteraction, code=code)
                     for code in codes],
        searchInclude=sorted({i for d in declared for i in d.include}),
        searchParam=[make(CapabilityStatementRestResourceSearchParam, name=p.name, type=p.type,
                          documentation=p.documentation) for p in search],
        operation=[make(CapabilityStatementRestResourceOperation, name=op,
                        definition=OPERATIONS[op]) for op in operations])
