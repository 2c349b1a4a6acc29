"""Schemathesis drives every /fhir route (from an OpenAPI document derived from the same
interaction declarations as the CapabilityStatement, tests/fhir_openapi.py) against
the running API, signed in as a role allowed there: whatever it generates, no answer is a
server error, and every answer is a FHIR resource (an OperationOutcome when refused)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from services.intake.fhir.capability import interactions
from services.intake.fhir.router import router
from tests.fhir_openapi import fhir_openapi
from tests.integration.test_api_schema import (  # noqa: F401 (module-scoped fixtures)
    api_base_url,
    engine_for_module,
    role_tokens,
)

pytestmark = pytest.mark.integration

WRITES = {"post", "put"}


def role_for(method: str, path: str) -> str:
    if "/AuditEvent" in path:
        return "admin"
    return "front_desk" if method in WRITES else "clinician"


@pytest.fixture(scope="module")
def fhir_schema(api_base_url):  # noqa: F811
    return schemathesis.openapi.from_dict(fhir_openapi(router, api_base_url))


def fuzz(operation, base_url: str, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=15, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def exercise(case):
        case.call_and_validate(base_url=base_url, headers=headers, timeout=10,
                               checks=[not_a_server_error, response_schema_conformance])

    exercise()


def test_the_fhir_schema_covers_every_declared_interaction():
    schema = fhir_openapi(router, "http://x")
    operations = {(m, p) for p, item in schema["paths"].items() for m in item}
    assert len(operations) == len(interactions(router)) + 3  # metadata, SMART config, token


def test_no_fhir_route_answers_a_server_error_whatever_it_is_sent(
        fhir_schema, role_tokens, api_base_url):  # noqa: F811
    operations = [result.ok() for result in fhir_schema.get_all_operations()]
    for operation in operations:
        token = role_tokens[role_for(operation.method.lower(), operation.path)]
        fuzz(operation, api_base_url, {"Authorization": f"Bearer {token}"})
