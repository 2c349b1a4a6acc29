"""Idempotency-Key on POST: a retry answers the first response and creates nothing new."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.integration.helpers import create_patient, patient_payload, twisted_ankle_history

pytestmark = pytest.mark.integration


def _patients(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM patients")).scalar()


def test_a_retried_post_with_the_same_key_replays_the_first_answer_and_creates_nothing(
        client, engine):
    body, key = patient_payload(), {"Idempotency-Key": "retry-me"}
    first = client.post("/patients", json=body, headers=key)
    before = _patients(engine)
    again = client.post("/patients", json=body, headers=key)

    assert first.status_code == 201, first.text
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _patients(engine) == before


def test_the_same_key_with_another_body_is_refused_naming_the_header(client):
    key = {"Idempotency-Key": "used-once"}
    assert client.post("/patients", json=patient_payload(), headers=key).status_code == 201
    other = client.post("/patients", json=patient_payload(), headers=key)

    assert other.status_code == 422
    assert other.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


def _lose_the_answer(engine, key: str) -> None:
    """What an API killed between its commit and storing the answer leaves behind (the fault
    test tests/faults/test_clinic_run_heals.py[api] makes it for real)."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE idempotency_keys SET status_code = NULL, response_body = NULL "
                          "WHERE key = :key"), {"key": key})


def test_a_retry_whose_answer_was_lost_is_sent_to_the_case_it_opened_and_opens_no_other(
        client, engine):
    patient_id = create_patient(client)["id"]
    body = {"patient_id": patient_id, "history": twisted_ankle_history()}
    key = {"Idempotency-Key": "answer-lost"}
    first = client.post("/cases", json=body, headers=key)
    _lose_the_answer(engine, "answer-lost")

    retry = client.post("/cases", json=body, headers=key, follow_redirects=False)

    assert first.status_code == 201, first.text
    assert retry.status_code == 303
    assert retry.headers["location"] == f"/cases/{first.json()['id']}"
    assert client.get(retry.headers["location"]).json()["id"] == first.json()["id"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cases WHERE patient_id = :p"),
                            {"p": patient_id}).scalar() == 1


def test_a_lost_answer_of_a_route_that_names_nothing_it_created_is_still_a_409(client, engine):
    body, key = patient_payload(), {"Idempotency-Key": "lost-no-location"}
    assert client.post("/patients", json=body, headers=key).status_code == 201
    _lose_the_answer(engine, "lost-no-location")

    retry = client.post("/patients", json=body, headers=key)

    assert retry.status_code == 409
    assert retry.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
