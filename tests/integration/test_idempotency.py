"""Idempotency-Key on POST: a retry answers the first response and creates nothing new."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.integration.helpers import patient_payload

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
