"""What an attacker can send before signing in, answered without a server error: bodies over
the size limit (413 before they are read), request ids of any length or shape, and invalid
fields whose values must never come back in the answer."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from services.intake.app import create_app
from tests.integration.auth_helpers import PASSWORD, make_user

pytestmark = pytest.mark.integration

SECRET_PASSWORD = "Tr0ub4dor&3-never-repeat-me"
MIB = 1024 * 1024


def chunked(total: int, piece: int = 64 * 1024):
    """A body without Content-Length: the client sends it in chunks as it goes."""
    sent = 0
    while sent < total:
        size = min(piece, total - sent)
        sent += size
        yield b"x" * size


@pytest.fixture
def small_limits(settings):
    return settings.model_copy(update={"max_json_body_bytes": 2000, "max_form_body_bytes": 1000})


@pytest.fixture
def limited(small_limits, clean_database):
    with TestClient(create_app(small_limits), follow_redirects=False) as client:
        yield client


# --- the size limit: a declared length over it, or a chunked body that grows past it -------

@pytest.mark.parametrize("method, path, content_type", [
    ("POST", "/auth/sign-in", "application/json"),    # before sign-in
    ("POST", "/cases", "application/json"),           # a signed-in route, unsigned
    ("PATCH", "/users/6f1c0a6e-2b1d-4c55-9a53-0d6f4c1e8b27", "application/json"),
    ("POST", "/sign-in", "application/x-www-form-urlencoded"),  # a page
    ("POST", "/form", "multipart/form-data; boundary=x"),
    ("POST", "/no-such-route", "text/plain"),
])
def test_a_declared_body_over_the_limit_is_refused_with_413(limited, method, path, content_type):
    limit = 1000 if "form" in content_type else 2000

    answer = limited.request(method, path, content=b"x" * (limit + 1),
                             headers={"Content-Type": content_type})

    assert answer.status_code == 413, answer.text
    assert answer.json()["detail"][0]["loc"] == ["body"]
    assert answer.headers["X-Content-Type-Options"] == "nosniff"  # refusals get the headers too


@pytest.mark.parametrize("path, content_type", [
    ("/auth/sign-in", "application/json"),
    ("/sign-in", "application/x-www-form-urlencoded"),
    ("/no-such-route", "application/json"),
])
def test_a_chunked_body_growing_past_the_limit_is_refused_with_413(limited, path, content_type):
    answer = limited.post(path, content=chunked(50_000, piece=500),
                          headers={"Content-Type": content_type})

    assert "content-length" not in {k.lower() for k in answer.request.headers}
    assert answer.status_code == 413, answer.text


def test_the_limit_is_a_setting_and_a_body_within_it_is_handled_as_usual(limited):
    within = {"email": "nobody@example.com", "password": "p" * 1000}

    assert limited.post("/auth/sign-in", json=within).status_code == 401
    assert limited.post("/auth/sign-in", json={**within, "password": "p" * 2000}
                        ).status_code == 413


def test_a_form_post_has_its_own_smaller_limit(limited):
    body = "email=a%40b.c&password=" + "p" * 1500  # over the form limit, under the JSON one

    answer = limited.post("/sign-in", content=body,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})

    assert answer.status_code == 413


def test_the_default_limits_are_one_mebibyte_of_json_and_a_quarter_of_that_for_forms(settings):
    assert settings.max_json_body_bytes == MIB
    assert settings.max_form_body_bytes == MIB // 4


# --- validation errors name the field and the reason, never the value -----------------------

def test_a_422_never_repeats_the_password_it_was_sent(app_client):
    answer = app_client.post("/auth/sign-in", json={"password": SECRET_PASSWORD})

    assert answer.status_code == 422
    assert SECRET_PASSWORD not in answer.text
    problem = answer.json()["detail"][0]
    assert problem["loc"] == ["body", "email"] and problem["type"] == "missing"
    assert set(problem) == {"type", "loc", "msg"}


def test_a_422_for_a_huge_value_names_the_field_and_stays_small(app_client):
    huge = "A" * 900_000

    answer = app_client.post("/auth/sign-in", json={"email": "a@b.c", "password": huge})

    assert answer.status_code == 422
    assert len(answer.content) < 1000
    assert answer.json()["detail"][0]["loc"] == ["body", "password"]


def test_a_422_cuts_the_name_of_an_unknown_field_it_was_sent(app_client):
    answer = app_client.post("/auth/sign-in", json={
        "email": "a@b.c", "password": "x", "K" * 10_000: SECRET_PASSWORD})

    assert answer.status_code == 422
    assert SECRET_PASSWORD not in answer.text and len(answer.content) < 1000


def test_a_registration_with_an_unknown_time_zone_does_not_repeat_it(client):
    zone = "Secret/" + "Z" * 500

    answer = client.post("/patients", json={
        "given_name": "Ana", "family_name": "Ruiz", "birth_date": "1990-04-02",
        "timezone": zone})

    assert answer.status_code == 422
    assert zone not in answer.text and "ZZZZ" not in answer.text


def test_a_page_with_an_invalid_path_parameter_does_not_repeat_it(app_client, engine):
    clinician = make_user(engine, "clinician")
    token = app_client.post("/auth/sign-in", json={"email": clinician.email,
                                                   "password": PASSWORD}).json()["token"]
    not_an_id = "not-a-case-" + SECRET_PASSWORD

    answer = app_client.get(f"/staff/cases/{not_an_id}",
                            headers={"Authorization": f"Bearer {token}"})

    assert answer.status_code == 422
    assert SECRET_PASSWORD not in answer.text


# --- request ids: a safe one is kept, anything else is replaced -----------------------------

def _register_patient(client, request_id: str | bytes):
    """An audited write: the registration's audit event stores the request id."""
    return client.post("/patients", headers={"X-Request-ID": request_id}, json={
        "given_name": "Ana", "family_name": f"Ruiz-{uuid.uuid4().hex[:6]}",
        "birth_date": "1990-04-02"})


def _audited_request_ids(engine, patient_id: str) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text(
            "SELECT request_id FROM audit_events WHERE patient_id = :patient"),
            {"patient": patient_id}).scalars())


@pytest.mark.parametrize("given", [
    "r" * 65, "r" * 5000, "has spaces in it", "semi;colon", "<script>", "ünïcode",
])
def test_an_unsafe_request_id_on_an_audited_request_is_replaced_not_a_500(
        client, engine, given):
    answer = _register_patient(client, given.encode("utf-8"))

    assert answer.status_code == 201, answer.text
    replaced = answer.headers["X-Request-ID"]
    assert replaced != given and 1 <= len(replaced) <= 64
    assert _audited_request_ids(engine, answer.json()["patient"]["id"]) == {replaced}


def test_a_safe_request_id_is_kept_and_stored_with_the_audit_event(client, engine):
    given = "edge-proxy.42_" + "a" * 50  # 64 characters

    answer = _register_patient(client, given)

    assert answer.status_code == 201 and answer.headers["X-Request-ID"] == given
    assert _audited_request_ids(engine, answer.json()["patient"]["id"]) == {given}
