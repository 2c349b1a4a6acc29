"""The embedded PostgreSQL and Redis start, answer, keep their data and leave nothing behind."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
import redis

from clinic_cli.embedded import process_alive, start_postgres, start_redis

pytestmark = pytest.mark.integration


@pytest.fixture
def short_dir(tmp_path_factory) -> Path:
    # tmp_path names can be long; the PostgreSQL socket path must stay under ~100 characters.
    return tmp_path_factory.mktemp("emb", numbered=True)


def test_both_servers_answer_and_stop_without_leaving_a_process_or_pid_file(short_dir):
    postgres = start_postgres(short_dir / "pg")
    redis_server = start_redis(short_dir / "redis")
    postmaster_pid = postgres._server.get_pid()
    redis_pid = redis_server.process.pid
    try:
        with psycopg.connect(postgres.create_database("clinic")) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == ("clinic",)
        assert redis.Redis.from_url(redis_server.url).ping()
    finally:
        redis_server.stop()
        postgres.stop()

    assert not process_alive(postmaster_pid)
    assert not process_alive(redis_pid)
    assert not (short_dir / "pg" / "postmaster.pid").exists()


def test_a_restart_keeps_the_databases_and_the_queued_messages(short_dir):
    with start_postgres(short_dir / "pg") as postgres, start_redis(short_dir / "redis") as server:
        postgres.create_database("clinic")
        redis.Redis.from_url(server.url).lpush("triage", "case-1")

    with start_postgres(short_dir / "pg") as postgres, start_redis(short_dir / "redis") as server:
        with psycopg.connect(postgres.url()) as conn:
            names = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
        assert "clinic" in names
        assert redis.Redis.from_url(server.url).lrange("triage", 0, -1) == [b"case-1"]


def test_a_handle_left_by_a_killed_run_does_not_keep_postgres_running(short_dir):
    handles = short_dir / "pg" / ".handle_pids.json"
    start_postgres(short_dir / "pg").stop()
    handles.write_text("[999999999]")

    with start_postgres(short_dir / "pg") as postgres:
        postmaster_pid = postgres._server.get_pid()

    assert not process_alive(postmaster_pid)
