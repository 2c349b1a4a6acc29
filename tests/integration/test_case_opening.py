"""POST /cases, the most frequent request, reads its own body and principal and writes on the
driver's connection (services/intake/cases/router.py says why). What the framework did for it
before must still hold: the Idempotency-Key joins the write's transaction, a body that is not
JSON is FastAPI's 422, and a connection PostgreSQL closed is never used again."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from tests.integration.helpers import create_patient, twisted_ankle_history
from tests.integration.test_staff_accounts import wait_until

pytestmark = pytest.mark.integration


def _form(patient: dict, **history) -> dict:
    return {"patient_id": patient["id"], "history": twisted_ankle_history(**history)}


def _count(engine, sql: str, **params) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def test_a_retried_form_with_the_same_key_opens_one_case_and_replays_the_answer(client, engine):
    patient, key = create_patient(client), {"Idempotency-Key": "form-retry"}
    first = client.post("/cases", json=_form(patient), headers=key)
    again = client.post("/cases", json=_form(patient), headers=key)

    assert first.status_code == 201, first.text
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _count(engine, "SELECT count(*) FROM cases WHERE patient_id = :p",
                  p=patient["id"]) == 1
    assert _count(engine, "SELECT status_code FROM idempotency_keys WHERE key = 'form-retry'") \
        == 201


def test_a_key_reused_for_another_form_is_refused_and_opens_nothing(client, engine):
    patient, key = create_patient(client), {"Idempotency-Key": "form-once"}
    assert client.post("/cases", json=_form(patient), headers=key).status_code == 201

    other = client.post("/cases", json=_form(patient, notes="another form"), headers=key)

    assert other.status_code == 422
    assert other.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert _count(engine, "SELECT count(*) FROM cases WHERE patient_id = :p",
                  p=patient["id"]) == 1


def test_a_form_for_an_unknown_patient_with_a_key_records_no_key(client, engine):
    response = client.post("/cases", headers={"Idempotency-Key": "unknown-patient"}, json={
        "patient_id": "00000000-0000-4000-8000-000000000000", "history": {}})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "patient_id"]
    # The claim rolled back with the refused write, so a corrected retry is not refused.
    assert _count(engine, "SELECT count(*) FROM idempotency_keys") == 0


def test_a_body_that_is_not_json_is_422_located_in_the_body(client, engine):
    response = client.post("/cases", content=b'{"patient_id": ',
                           headers={"Content-Type": "application/json"})

    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"][0] == "body" and error["type"] == "json_invalid"
    assert _count(engine, "SELECT count(*) FROM cases") == 0


def test_the_form_is_documented_with_its_body_and_its_422(client):
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/cases"]["post"]

    reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = document["components"]["schemas"][reference.rsplit("/", 1)[-1]]
    assert {"patient_id", "history"} <= set(body["properties"])
    assert "$defs" not in str(body)  # every model it refers to is a component
    assert {"201", "422"} <= set(operation["responses"])


def test_connections_postgresql_closed_are_not_used_for_the_next_form(client, engine):
    pooled = []  # every connection the API's pool took back
    event.listen(client.app.state.engine.sync_engine, "checkin",
                 lambda dbapi_connection, _record: pooled.append(dbapi_connection))
    patient = create_patient(client)  # the API's pool now holds open connections
    case = client.post("/cases", json=_form(patient)).json()

    with engine.connect() as conn:  # as a restart or an administrator would
        closed = conn.execute(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    # The API's event loop reads each connection's end: wait until it has read them all.
    wait_until(lambda: all(c is None or c.driver_connection.is_closed() for c in pooled))

    assert closed >= 1
    assert client.post("/cases", json=_form(patient)).status_code == 201
    assert client.get(f"/cases/{case['id']}").status_code == 200  # a session's route too
