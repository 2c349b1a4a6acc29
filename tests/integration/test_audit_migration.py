"""Migration 0016 turns the audit trail into monthly partitions keeping every row, its id and
its place in time, and going back keeps them too."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from shared.db import sync_url
from tests.fixtures.database import alembic_config, create_database, drop_database

pytestmark = pytest.mark.integration

PARTITIONING = "0016"


@pytest.fixture
def database(postgres_server_url):
    name = f"clinic_audit_migration_{uuid.uuid4().hex[:8]}"
    url = create_database(postgres_server_url, name)
    engine = create_engine(sync_url(url))
    yield url, engine
    engine.dispose()
    drop_database(postgres_server_url, name)


def before_partitioning(config) -> str:
    return ScriptDirectory.from_config(config).get_revision(PARTITIONING).down_revision


def trail(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(
            "SELECT id, occurred_at, actor_id, action, resource_id, patient_id, entities "
            "FROM audit_events ORDER BY id"))]


def write_events(engine, moments: list[datetime]) -> None:
    with engine.begin() as conn:
        for number, moment in enumerate(moments):
            entities = [{"type": "Case", "id": str(number), "patient_id": str(uuid.uuid4())}]
            conn.execute(text(
                "INSERT INTO audit_events (occurred_at, actor_id, actor_role, action, "
                "resource_type, resource_id, patient_id, outcome, entities) VALUES (:at, "
                "'staff:1', 'clinician', 'read', 'Case', :rid, :patient, 'success', "
                "CAST(:entities AS jsonb))"),
                {"at": moment, "rid": f"r{number}", "patient": uuid.uuid4(),
                 "entities": json.dumps(entities) if number % 2 else None})


def test_the_upgrade_keeps_every_event_in_its_months_partition_and_ids_continue(database):
    url, engine = database
    config = alembic_config(url)
    command.upgrade(config, before_partitioning(config))
    now = datetime.now(UTC)
    write_events(engine, [datetime(2019, 3, 31, 23, 59, 59, tzinfo=UTC),
                          datetime(2019, 4, 1, tzinfo=UTC), now - timedelta(days=40), now])
    before = trail(engine)

    command.upgrade(config, "head")

    assert trail(engine) == before
    with engine.begin() as conn:
        homes = conn.execute(text("SELECT resource_id, tableoid::regclass::text "
                                  "FROM audit_events ORDER BY id")).all()
        kind = conn.execute(text(
            "SELECT relkind FROM pg_class WHERE relname = 'audit_events'")).scalar()
        next_id = conn.execute(text(
            "INSERT INTO audit_events (occurred_at, actor_id, actor_role, action, "
            "resource_type, resource_id, outcome) VALUES (now(), 'a', 'system', 'read', 'Case', "
            "'new', 'success') RETURNING id")).scalar()
    assert kind == "p"
    assert homes[:2] == [("r0", "audit_events_y2019m03"), ("r1", "audit_events_y2019m04")]
    assert {home for _, home in homes[2:]} <= {
        f"audit_events_y{m.year:04d}m{m.month:02d}" for m in (now - timedelta(days=40), now)}
    assert next_id > max(row[0] for row in before)


def test_the_downgrade_puts_every_event_back_in_one_append_only_table(database):
    url, engine = database
    config = alembic_config(url)
    command.upgrade(config, "head")
    write_events(engine, [datetime(2021, 7, 4, tzinfo=UTC), datetime.now(UTC)])
    before = trail(engine)

    command.downgrade(config, before_partitioning(config))

    assert trail(engine) == before
    with engine.connect() as conn:
        assert conn.execute(text(
            "SELECT relkind FROM pg_class WHERE relname = 'audit_events'")).scalar() == "r"
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events"))
    assert trail(engine) == before
