"""The embedded PostgreSQL and Redis start, answer, keep their data and leave nothing behind."""

from __future__ import annotations

import stat
from pathlib import Path

import psutil
import psycopg
import pytest
import redis

from clinic_cli import run_commands
from clinic_cli.embedded import start_postgres, start_redis
from clinic_cli.processes import system_processes
from clinic_cli.supervisor import Supervisor
from tests.process_state import process_alive

# Each test starts embedded servers of its own, whatever the environment names.
pytestmark = [pytest.mark.integration, pytest.mark.own_servers]


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


def test_the_embedded_redis_refuses_a_client_without_its_password(short_dir):
    with start_redis(short_dir / "redis") as server:
        anonymous = redis.Redis(host="127.0.0.1", port=server.port)
        with pytest.raises(redis.exceptions.AuthenticationError):
            anonymous.ping()
        with pytest.raises(redis.exceptions.AuthenticationError):
            redis.Redis(host="127.0.0.1", port=server.port, password="guess").ping()
        assert redis.Redis.from_url(server.url).ping()
        command_line = " ".join(psutil.Process(server.process.pid).cmdline())

    assert server.password not in command_line  # other local users can read process lists
    assert stat.S_IMODE((short_dir / "redis" / "password").stat().st_mode) == 0o600


def test_the_redis_password_stays_the_same_across_restarts(short_dir):
    with start_redis(short_dir / "redis") as server:
        first_url, port = server.url, server.port

    with start_redis(short_dir / "redis", port=port) as server:
        assert server.url == first_url
        assert redis.Redis.from_url(first_url).ping()


def test_clinic_run_gives_every_process_the_redis_url_with_the_password(short_dir,
                                                                        monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://unused@127.0.0.1/none")  # no PostgreSQL
    monkeypatch.delenv("REDIS_URL", raising=False)
    (short_dir / "data").mkdir()
    env, postgres, servers = run_commands._environment(short_dir / "data", 0)
    assert postgres is None and [spec.name for spec in servers] == ["redis"]
    with Supervisor(servers):
        processes = system_processes(env, api_port=8000)

        urls = {process.env["REDIS_URL"] for process in processes}
        assert len(urls) == 1
        url = urls.pop()
        assert redis.Redis.from_url(url).ping()
        assert url.startswith("redis://:") and "@127.0.0.1:" in url
