"""`clinic backup` and `clinic restore`: a backup restored into a fresh database holds every
case and the whole audit trail (still partitioned and append-only); a database with tables is
not overwritten unless forced; old backups are rotated away; the embedded server (PostgreSQL 18,
its own pg_dump) round-trips too."""

from __future__ import annotations

import re
import stat
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from clinic_cli.embedded import start_postgres
from clinic_cli.main import app
from shared.db import sync_url
from shared.settings import get_settings
from tests.fixtures.database import alembic_config, create_database, drop_database
from tests.integration.helpers import create_patient, submit_intake
from tests.integration.notify_support import add_due_follow_ups, add_patient

pytestmark = pytest.mark.integration


@pytest.fixture
def cli_env(monkeypatch, settings, tmp_path):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CLINIC_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data" / "backups"
    get_settings.cache_clear()


@pytest.fixture
def fresh_name(postgres_server_url):
    name = f"clinic_restored_{uuid.uuid4().hex[:8]}"
    yield name
    drop_database(postgres_server_url, name)


def clinic(*args: str):
    return CliRunner().invoke(app, list(args))


def written_backup(output: str) -> Path:
    return Path(re.search(r"backup written: (\S+)", output)[1])


def snapshot(url: str) -> dict[str, list]:
    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            return {
                "cases": conn.execute(text("SELECT id, status FROM cases ORDER BY id")).all(),
                "audit": conn.execute(text(
                    "SELECT id, occurred_at, actor_id, action, resource_type, resource_id, "
                    "patient_id, entities FROM audit_events ORDER BY id")).all(),
                "revision": conn.execute(text("SELECT version_num FROM alembic_version")).all(),
            }
    finally:
        engine.dispose()


def refuses(url: str, statement: str) -> bool:
    engine = create_engine(sync_url(url))
    try:
        with engine.begin() as conn:
            conn.execute(text(statement))
    except DBAPIError as error:
        return "append-only" in str(error.orig)
    finally:
        engine.dispose()
    return False


def test_a_backup_restored_into_a_fresh_database_finds_every_case_and_the_audit_trail(
        client, settings, cli_env, fresh_name):
    cases = {submit_intake(client, create_patient(client)["id"])["id"] for _ in range(3)}

    made = clinic("backup")
    assert made.exit_code == 0, made.output
    path = written_backup(made.output)
    restored = clinic("restore", str(path), "--database", fresh_name)

    assert restored.exit_code == 0, restored.output
    assert path.parent == cli_env and stat.S_IMODE(path.stat().st_mode) == 0o600
    fresh_url = make_url(settings.database_url).set(database=fresh_name).render_as_string(
        hide_password=False)
    source, copy = snapshot(settings.database_url), snapshot(fresh_url)
    assert cases <= {str(case_id) for case_id, _ in copy["cases"]}
    assert copy == source and len(copy["audit"]) >= len(cases)
    this_month = f"audit_events_y{copy['audit'][-1][1]:%Y}m{copy['audit'][-1][1]:%m}"
    assert refuses(fresh_url, "DELETE FROM audit_events")
    assert refuses(fresh_url, f"TRUNCATE {this_month}")


def test_restore_refuses_a_database_with_tables_and_replaces_it_when_forced(
        client, settings, cli_env, postgres_server_url, migrated_template, fresh_name):
    submit_intake(client, create_patient(client)["id"])
    path = written_backup(clinic("backup").output)
    fresh_url = create_database(postgres_server_url, fresh_name, template=migrated_template)

    refused = clinic("restore", str(path), "--database", fresh_name)
    assert refused.exit_code == 1
    assert "not empty" in refused.output
    assert snapshot(fresh_url)["cases"] == []

    forced = clinic("restore", str(path), "--database", fresh_name, "--force")
    assert forced.exit_code == 0, forced.output
    assert snapshot(fresh_url) == snapshot(settings.database_url)


def test_only_the_newest_backups_are_kept(cli_env):
    written = [written_backup(clinic("backup", "--keep", "2").output) for _ in range(3)]

    assert sorted(cli_env.glob("*")) == written[1:]
    assert not list(cli_env.glob("*.partial"))


def test_the_embedded_server_backs_up_and_restores_with_its_own_client(
        monkeypatch, tmp_path_factory):
    data = tmp_path_factory.mktemp("bk", numbered=True)  # short: the socket path has a limit
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CLINIC_DATA_DIR", str(data))
    with start_postgres(data / "pg") as postgres:
        url = postgres.create_database("clinic")
        command.upgrade(alembic_config(url), "head")
        engine = create_engine(sync_url(url))
        add_due_follow_ups(engine, add_patient(engine), datetime.now(UTC))
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO audit_events (occurred_at, actor_id, actor_role, action, "
                "resource_type, resource_id, outcome) VALUES (now(), 'test', 'system', "
                "'create', 'Patient', 'p1', 'success')"))
        engine.dispose()
        source = snapshot(url)

    made = clinic("backup")
    assert made.exit_code == 0, made.output
    restored = clinic("restore", str(written_backup(made.output)), "--database", "copy")
    assert restored.exit_code == 0, restored.output

    with start_postgres(data / "pg") as postgres:
        assert snapshot(postgres.url("copy")) == source
        assert len(source["cases"]) == 1 and len(source["audit"]) == 1
