"""The intake API over a real PostgreSQL: patients, pre-visit forms, exam findings, cases."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from tests.integration.helpers import create_patient, patient_payload, submit_intake

pytestmark = pytest.mark.integration



def field_errors(response) -> dict[str, str]:
    return {".".join(str(p) for p in e["loc"]): e["msg"] for e in response.json()["detail"]}


def scalar(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def test_creating_a_patient_returns_it_with_no_duplicates(client):
    response = client.post("/patients", json=patient_payload(given_name="Ana"))

    assert response.status_code == 201
    assert response.json()["patient"]["given_name"] == "Ana"
    assert response.json()["possible_duplicates"] == []


def test_same_name_and_birth_date_is_refused_with_the_existing_patient_as_candidate(client):
    first = create_patient(client, given_name="Maria", family_name="Lopez")

    response = client.post("/patients", json=patient_payload(given_name="maria",
                                                             family_name="LOPEZ"))

    assert response.status_code == 409
    candidates = response.json()["possible_duplicates"]
    assert [c["patient"]["id"] for c in candidates] == [first["id"]]
    assert candidates[0]["matched_on"] == ["name_and_birth_date"]


def test_same_email_is_a_duplicate_candidate_and_confirming_creates_anyway(client):
    first = create_patient(client, email="shared@example.com")

    response = client.post("/patients", json=patient_payload(email="shared@example.com",
                                                             confirm_not_duplicate=True))

    assert response.status_code == 201
    assert response.json()["patient"]["id"] != first["id"]
    assert response.json()["possible_duplicates"][0]["matched_on"] == ["email"]


def test_missing_required_field_is_422_naming_the_field(client):
    payload = patient_payload()
    del payload["family_name"]

    response = client.post("/patients", json=payload)

    assert response.status_code == 422
    assert "body.family_name" in field_errors(response)


def test_wrong_type_is_422_naming_the_field_and_reason(client):
    response = client.post("/patients", json=patient_payload(birth_date="last spring"))

    assert response.status_code == 422
    assert "date" in field_errors(response)["body.birth_date"].lower()


def test_unknown_field_is_rejected_rather_than_ignored(client):
    response = client.post("/patients", json=patient_payload(id=str(uuid.uuid4())))

    assert response.status_code == 422
    assert "body.id" in field_errors(response)


def test_submitting_a_form_opens_a_case_and_writes_a_triage_request_in_the_same_transaction(
    client, engine
):
    patient = create_patient(client)

    case = submit_intake(client, patient["id"])

    assert case["status"] == "awaiting_triage"
    task = scalar(engine, "SELECT task_name FROM outbox_messages WHERE payload->>'case_id' = :id",
                  id=case["id"])
    assert task == "triage.cases.evaluate"


def test_outbox_payload_carries_ids_only(client, engine):
    patient = create_patient(client, given_name="Zebedee")
    case = submit_intake(client, patient["id"], notes="my left ankle hurts")

    payload = scalar(engine, "SELECT payload::text FROM outbox_messages WHERE payload->>'case_id' "
                     "= :id", id=case["id"])

    assert "Zebedee" not in payload and "ankle" not in payload


def test_history_with_a_wrong_type_is_422_naming_the_nested_field_and_nothing_is_stored(
    client, engine
):
    patient = create_patient(client)

    response = client.post("/cases", json={"patient_id": patient["id"],
                                           "history": {"walks_four_steps_now": "maybe"}})

    assert response.status_code == 422
    assert "body.history.walks_four_steps_now" in field_errors(response)
    assert scalar(engine, "SELECT count(*) FROM cases") == 0
    assert scalar(engine, "SELECT count(*) FROM outbox_messages") == 0


def test_form_for_an_unknown_patient_is_422_naming_patient_id(client, engine):
    response = client.post("/cases", json={"patient_id": str(uuid.uuid4()), "history": {}})

    assert response.status_code == 422
    assert "no patient" in field_errors(response)["body.patient_id"]
    assert scalar(engine, "SELECT count(*) FROM outbox_messages") == 0


def test_exam_findings_for_an_unknown_case_is_404_naming_the_case(client):
    missing = uuid.uuid4()

    response = client.post(f"/cases/{missing}/exam-findings",
                           json={"findings": {"anterior_drawer_positive": True}})

    assert response.status_code == 404
    assert str(missing) in response.json()["detail"][0]["msg"]


def test_reading_an_unknown_case_is_404(client):
    assert client.get(f"/cases/{uuid.uuid4()}").status_code == 404


def test_exam_findings_are_stored_one_observation_each_and_request_re_triage(client, engine):
    case = submit_intake(client, create_patient(client)["id"])

    response = client.post(f"/cases/{case['id']}/exam-findings", json={"findings": {
        "tender_lateral_malleolus_posterior_edge_or_tip": True,
        "bears_weight_four_steps_in_clinic": False}})

    assert response.status_code == 201
    assert response.json()["findings_recorded"] == 2
    detail = client.get(f"/cases/{case['id']}").json()
    assert detail["exam_findings"] == {"tender_lateral_malleolus_posterior_edge_or_tip": True,
                                       "bears_weight_four_steps_in_clinic": False}
    requests = scalar(engine, "SELECT count(*) FROM outbox_messages WHERE payload->>'case_id' = "
                      ":id AND task_name = 'triage.cases.evaluate'", id=case["id"])
    assert requests == 2


def test_exam_finding_with_an_unknown_code_is_422_naming_it(client):
    case = submit_intake(client, create_patient(client)["id"])

    response = client.post(f"/cases/{case['id']}/exam-findings",
                           json={"findings": {"drawer_test": True}})

    assert response.status_code == 422
    assert "body.findings.drawer_test" in field_errors(response)


def test_reads_and_writes_of_patient_data_are_audited(client, engine):
    patient = create_patient(client)
    case = submit_intake(client, patient["id"])

    client.get(f"/cases/{case['id']}", headers={"X-Request-ID": "req-audit-1"})

    actions = scalar(engine, "SELECT string_agg(action || ':' || resource_type, ',' ORDER BY id) "
                     "FROM audit_events WHERE patient_id = :p", p=patient["id"])
    # The staff view names the patient (identity banner): a read of the Patient record too.
    assert actions == "create:Patient,create:Case,read:Case,read:Patient"
    assert scalar(engine, "SELECT string_agg(DISTINCT request_id, ',') FROM audit_events "
                  "WHERE action = 'read' AND patient_id = :p", p=patient["id"]) == "req-audit-1"


def test_readiness_checks_the_database_and_redis_and_lists_the_heartbeats(client):
    ready = client.get("/health/ready")

    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok", "redis": "ok", "processes": {
        kind: {"alive": [], "stale": []} for kind in ("triage", "notify", "relay", "scheduler")}}


def test_openapi_docs_are_served(client):
    assert client.get("/docs").status_code == 200
    assert "/cases/{case_id}" in client.get("/openapi.json").json()["paths"]


def test_a_nul_character_in_any_text_is_422_not_a_server_error(client):
    response = client.post("/patients", json=patient_payload(given_name="A\u0000B"))

    assert response.status_code == 422
    assert "NUL" in response.json()["detail"][0]["msg"]


def test_a_nul_character_in_a_query_is_422_naming_the_parameter_not_a_server_error(client):
    response = client.get("/opt-out?token=abc%00def&channel=email")

    assert response.status_code == 422
    assert response.json()["detail"] == [{"type": "value_error", "loc": ["query", "token"],
                                           "msg": "text must not contain NUL (\\u0000) "
                                                  "characters"}]
    assert "abc" not in response.text  # the value is never echoed
