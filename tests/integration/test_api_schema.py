"""Schemathesis drives the running API from its own OpenAPI schema: whatever it generates,
no answer is a server error and every answer matches the schema."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest
import redis
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from shared.clinical_record import ExamFindings, PreVisitHistory, PriorImaging, Severity
from shared.db import make_sync_engine
from shared.settings import Settings
from tests.fixtures.smtp import free_port
from tests.integration.auth_helpers import make_user, sign_in
from tests.integration.test_access_matrix import POLICY
from tests.json_schema import (
    enum_values,
    list_item_properties,
    number_bounds,
    object_properties,
)

pytestmark = pytest.mark.integration

STAFF_ROLES_BY_PREFERENCE = ("front_desk", "clinician", "admin")


@pytest.fixture(scope="module")
def api_base_url(database_url, redis_server_url, tmp_path_factory):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "CLINIC_ENV": "test",
           "REDIS_URL": f"{redis_server_url.rstrip('/')}/3", "CLINIC_SECRET_KEY": "fuzz-secret"}
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()  # no sign-in limits left from earlier runs
    log = tmp_path_factory.mktemp("schemathesis") / "api.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "services.intake.app:create_app", "--factory",
             "--port", str(port), "--log-level", "warning", "--no-proxy-headers"],
            env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base, server, log)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_until_ready(base: str, server: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"API exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/health/ready").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("API did not become ready")


@pytest.fixture(scope="module")
def role_tokens(api_base_url, engine_for_module) -> dict[str, str]:
    with httpx.Client(base_url=api_base_url) as client:  # an admin sets up a one-time code
        return {role: sign_in(client, make_user(engine_for_module, role).email)
                for role in STAFF_ROLES_BY_PREFERENCE}


@pytest.fixture(scope="module")
def engine_for_module(database_url):
    engine = make_sync_engine(Settings(DATABASE_URL=database_url))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def api_schema(api_base_url):
    return schemathesis.openapi.from_url(f"{api_base_url}/openapi.json")


def token_for(method: str, path: str, tokens: dict[str, str]) -> str:
    allowed = POLICY[(method, path)]
    role = next((r for r in STAFF_ROLES_BY_PREFERENCE if r in allowed), "front_desk")
    return tokens[role]


def fuzz(operation, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def exercise(case):
        case.call_and_validate(headers=headers,
                               checks=[not_a_server_error, response_schema_conformance])

    exercise()


def test_no_server_error_and_every_response_matches_the_schema(api_schema, role_tokens):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == len(POLICY)
    for operation in operations:
        token = token_for(operation.method.upper(), operation.path, role_tokens)
        fuzz(operation, {"Authorization": f"Bearer {token}"})


# Printable ASCII without surrounding spaces (requests refuses those in a header value).
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E),
                      max_size=300).map(str.strip)
HOSTILE_HEADERS = st.fixed_dictionaries({
    "X-Request-ID": st.one_of(HEADER_TEXT, st.just("r" * 5000)),
    "X-Forwarded-For": st.one_of(HEADER_TEXT, st.just("203.0.113.9, not-an-ip, ::1,")),
    "X-Forwarded-Proto": HEADER_TEXT,
})


def fuzz_hostile_headers(operation, token: str) -> None:
    @given(case=operation.as_strategy(), hostile=HOSTILE_HEADERS)
    @settings(max_examples=10, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def exercise(case, hostile):
        case.call_and_validate(headers={"Authorization": f"Bearer {token}", **hostile},
                               checks=[not_a_server_error, response_schema_conformance],
                               timeout=10)

    exercise()


def test_no_server_error_under_hostile_request_id_and_forwarded_headers(api_schema,
                                                                        role_tokens):
    for operation in [result.ok() for result in api_schema.get_all_operations()]:
        fuzz_hostile_headers(operation, token_for(operation.method.upper(), operation.path,
                                                  role_tokens))


class DeclaringAHugeBody(requests.Session):
    """Sends each request with Content-Length: 10^12 and whatever small body it has (requests
    itself would write the true length); the connection is not reused afterwards."""

    def send(self, request, **kwargs):
        request.headers["Content-Length"] = str(10**12)
        request.headers["Connection"] = "close"
        return super().send(request, **kwargs)


def fuzz_huge_declared_body(operation, token: str, session: requests.Session) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=3, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def exercise(case):
        # Without the limit the server waits for the terabyte: the timeout fails the test.
        response = case.call_and_validate(
            session=session, headers={"Authorization": f"Bearer {token}"}, timeout=5,
            checks=[not_a_server_error, response_schema_conformance])
        assert response.status_code == 413, (operation.label, response.text)

    exercise()


def test_every_operation_refuses_a_huge_declared_body_at_once(api_schema, role_tokens):
    session = DeclaringAHugeBody()
    for operation in [result.ok() for result in api_schema.get_all_operations()]:
        fuzz_huge_declared_body(operation, token_for(operation.method.upper(), operation.path,
                                                     role_tokens), session)


def _request_body(spec: dict, path: str) -> dict:
    return spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]


def test_the_openapi_schema_names_every_history_and_exam_field(api_base_url):
    spec = httpx.get(f"{api_base_url}/openapi.json").json()
    form = object_properties(_request_body(spec, "/cases"), spec)
    history = object_properties(form["history"], spec)
    exam = object_properties(
        object_properties(_request_body(spec, "/cases/{case_id}/exam-findings"), spec)
        ["findings"], spec)

    assert set(history) == set(PreVisitHistory.model_fields)
    assert set(list_item_properties(history["imaging_done"], spec)) == \
        set(PriorImaging.model_fields)
    assert Severity.PRESENT_SEVERITY_UNKNOWN.value in enum_values(history["swelling"], spec)
    assert set(exam) == set(ExamFindings.model_fields)
    assert number_bounds(exam["skin_temperature_difference_celsius"], spec) == (0, 15)
