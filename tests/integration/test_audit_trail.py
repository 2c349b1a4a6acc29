"""The accounting of disclosures finds every read of a patient's records, including the list
views (queue board, queue pages) stored as one event naming each record they showed."""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from shared.db import sync_url
from tests.fixtures.database import alembic_config, create_database, drop_database
from tests.integration.auth_helpers import staff_headers
from tests.integration.queue_helpers import triaged

pytestmark = pytest.mark.integration


def trail(app_client, engine, patient_id: str) -> list[dict]:
    admin = staff_headers(app_client, engine, "admin")
    response = app_client.get(f"/patients/{patient_id}/audit-events", headers=admin)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_patients_trail_names_the_case_a_board_view_showed_and_who_saw_it(
        client, app_client, engine, clinician):
    mine, other = triaged(client, engine), triaged(client, engine)
    app_client.get("/staff/board", headers={**clinician, "X-Request-ID": "board-trail-1"})

    events = trail(app_client, engine, mine["patient_id"])

    reads = sorted((e["action"], e["resource_type"], e["resource_id"], e["actor_role"])
                   for e in events if e["request_id"] == "board-trail-1")
    assert reads == [("read", "Patient", mine["patient_id"], "clinician"),
                     ("read", "QueueEntry", mine["entry_id"], "clinician")]
    assert other["entry_id"] not in {e["resource_id"] for e in events}


def test_a_patient_with_two_cases_on_the_board_has_one_trail_row_per_case(
        client, app_client, engine, clinician):
    first = triaged(client, engine)
    app_client.get("/staff/board", headers={**clinician, "X-Request-ID": "board-trail-2"})
    second = triaged(client, engine, patient_id=first["patient_id"])
    app_client.get("/staff/board", headers={**clinician, "X-Request-ID": "board-trail-3"})

    events = trail(app_client, engine, first["patient_id"])

    shown = sorted((e["request_id"], e["resource_id"]) for e in events
                   if e["request_id"] in ("board-trail-2", "board-trail-3")
                   and e["resource_type"] == "QueueEntry")
    assert shown == sorted([("board-trail-2", first["entry_id"]),
                            ("board-trail-3", first["entry_id"]),
                            ("board-trail-3", second["entry_id"])])
    named = sorted(e["request_id"] for e in events if e["resource_type"] == "Patient"
                   and e["request_id"] in ("board-trail-2", "board-trail-3"))
    assert named == ["board-trail-2", "board-trail-3"]  # the patient once per view


def test_the_database_refuses_entities_that_are_not_a_list(engine):
    """The trail expands every event's entities; a JSON null (SQLAlchemy's default for None)
    would make it fail for that patient."""
    with pytest.raises(IntegrityError, match="ck_audit_events_entities_is_a_list"), \
            engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO audit_events (occurred_at, actor_id, actor_role, action, resource_type,"
            " resource_id, outcome, entities) VALUES (now(), 'user:1', 'clinician', 'read',"
            " 'List', 'staff/board', 'success', 'null'::jsonb)"))


@pytest.fixture
def empty_database(postgres_server_url):
    name = f"clinic_audit_{uuid.uuid4().hex[:8]}"
    yield create_database(postgres_server_url, name)
    drop_database(postgres_server_url, name)


def test_going_back_before_list_reads_keeps_one_row_per_record_shown(empty_database):
    """The downgrade drops the entities column; the reads it held must stay in the trail."""
    config = alembic_config(empty_database)
    command.upgrade(config, "0008")
    patients = [str(uuid.uuid4()) for _ in range(2)]
    engine = create_engine(sync_url(empty_database))
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO audit_events (occurred_at, actor_id, actor_role, action, "
                "resource_type, resource_id, request_id, outcome, entities) VALUES (now(), "
                "'user:1', 'clinician', 'read', 'List', 'staff/board', 'req-1', 'success', "
                "CAST(:entities AS jsonb))"), {"entities": (
                    f'[{{"type": "QueueEntry", "id": "e1", "patient_id": "{patients[0]}"}}, '
                    f'{{"type": "QueueEntry", "id": "e2", "patient_id": "{patients[1]}"}}]')})

        command.downgrade(config, "0007")

        assert "entities" not in {c["name"] for c in inspect(engine).get_columns("audit_events")}
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT action, resource_type, resource_id, patient_id::text, request_id "
                "FROM audit_events WHERE patient_id IS NOT NULL ORDER BY resource_id")).all()
        assert [tuple(r) for r in rows] == [
            ("read", "QueueEntry", "e1", patients[0], "req-1"),
            ("read", "QueueEntry", "e2", patients[1], "req-1")]
    finally:
        engine.dispose()
