"""Patients through signed links, admins managing accounts, CSRF, headers, audit trail."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from shared.clock import utcnow
from shared.patient_links import PatientLink, sign_link
from tests.integration.auth_helpers import bearer, make_user, patient_headers, sign_in
from tests.integration.helpers import create_patient, patient_payload, submit_intake

pytestmark = pytest.mark.integration


def test_a_patient_link_opens_the_patients_own_case_with_next_steps_only(client, settings):
    patient = create_patient(client)
    case = submit_intake(client, patient["id"])

    response = client.get(f"/cases/{case['id']}", headers=patient_headers(settings, patient["id"]))

    assert response.status_code == 200
    body = response.json()
    assert body["view"] == "patient"
    assert "history" not in body and "decision" not in body


def test_another_patients_case_answers_404_like_a_missing_one(client, settings):
    owner = create_patient(client)
    case = submit_intake(client, owner["id"])
    intruder = create_patient(client)

    response = client.get(f"/cases/{case['id']}",
                          headers=patient_headers(settings, intruder["id"]))

    assert response.status_code == 404
    assert response.json()["detail"][0]["msg"] == f"no case with id {case['id']}"


def test_a_patient_cannot_open_a_case_for_someone_else(client, settings):
    me, other = create_patient(client), create_patient(client)

    response = client.post("/cases", json={"patient_id": other["id"], "history": {}},
                           headers=patient_headers(settings, me["id"], purpose="intake"))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "patient_id"]


def test_a_patient_can_submit_their_own_form(client, settings):
    me = create_patient(client)

    response = client.post("/cases", json={"patient_id": me["id"], "history": {"onset": "gradual"}},
                           headers=patient_headers(settings, me["id"], purpose="intake"))

    assert response.status_code == 201


def test_a_tampered_or_expired_patient_link_is_refused(client, settings):
    patient = create_patient(client)
    link = PatientLink(patient_id=uuid.UUID(patient["id"]), purpose="case")
    token = sign_link(settings.secret_key, link)
    expired = sign_link(settings.secret_key, link, now=utcnow() - timedelta(days=15))

    tampered = client.get("/auth/me", headers=bearer(token[:-3] + "xyz"))
    too_old = client.get("/auth/me", headers=bearer(expired))

    assert tampered.status_code == too_old.status_code == 401
    assert "expired" in too_old.json()["detail"]


def test_front_desk_issues_a_patient_link_that_works(client, settings):
    patient = create_patient(client)

    issued = client.post(f"/patients/{patient['id']}/links", json={"purpose": "intake"}).json()

    me = client.get("/auth/me", headers=bearer(issued["token"])).json()
    assert me == {"role": "patient", "user_id": None, "patient_id": patient["id"]}
    assert issued["url"].endswith(issued["token"])


def test_requests_that_try_to_set_server_owned_fields_are_422(client):
    patient = create_patient(client)
    for field in ("id", "role", "status", "owner_id"):
        response = client.post("/cases", json={"patient_id": patient["id"], "history": {},
                                               field: "x"})
        assert response.status_code == 422, field
        assert response.json()["detail"][0]["loc"] == ["body", field]


def test_admin_creates_staff_and_a_duplicate_email_is_409_without_echoing_it(app_client, engine):
    admin = bearer(sign_in(app_client, make_user(engine, "admin").email))
    account = {"email": "new.clinician@example.com", "display_name": "Dr New",
               "role": "clinician", "password": "a long enough password"}

    assert app_client.post("/users", json=account, headers=admin).status_code == 201
    again = app_client.post("/users", json=account, headers=admin)

    assert again.status_code == 409
    assert "new.clinician" not in again.text


def test_a_cookie_session_needs_the_csrf_token_to_write(app_client, engine):
    user = make_user(engine, "front_desk")
    app_client.post("/auth/sign-in", json={"email": user.email,
                                           "password": "correct horse battery staple"})

    without = app_client.post("/patients", json=patient_payload())
    with_token = app_client.post("/patients", json=patient_payload(),
                                 headers={"X-CSRF-Token": app_client.cookies["clinic_csrf"]})

    assert without.status_code == 403
    assert with_token.status_code == 201


def test_responses_carry_security_headers_and_cors_is_closed(app_client):
    response = app_client.get("/health/live", headers={"Origin": "https://evil.example"})

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET outcome = 'tampered'",
    "DELETE FROM audit_events",
    "TRUNCATE audit_events",
])
def test_the_application_database_role_cannot_alter_the_audit_trail(client, engine, statement):
    create_patient(client)  # writes at least one audit row

    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))


def test_admin_lists_the_accounting_of_disclosures_for_one_patient(client, app_client, engine):
    patient = create_patient(client)
    case = submit_intake(client, patient["id"])
    client.get(f"/cases/{case['id']}")
    admin = bearer(sign_in(app_client, make_user(engine, "admin").email))

    events = app_client.get(f"/patients/{patient['id']}/audit-events", headers=admin).json()

    assert [(e["action"], e["resource_type"]) for e in events][-3:] == [
        ("read", "Case"), ("create", "Case"), ("create", "Patient")]
    assert all(e["actor_role"] == "front_desk" for e in events)
