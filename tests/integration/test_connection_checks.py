"""Pooled connections PostgreSQL closed are not handed out again (shared/db.py): the engines
check at checkout instead of pinging every time."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import text

from shared import db
from shared.db import make_sync_engine, sync_url
from shared.settings import Settings

pytestmark = pytest.mark.integration


def _terminate(database_url: str, pid: int) -> None:
    libpq = sync_url(database_url).replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(libpq, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


@pytest.fixture
def engine(database_url):
    engine = make_sync_engine(Settings(DATABASE_URL=database_url), pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _backend(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar()


def test_an_idle_connection_the_server_closed_is_replaced_at_checkout(engine, database_url):
    first = _backend(engine)
    _terminate(database_url, first)
    time.sleep(db.IDLE_SECONDS_BEFORE_PING + 0.2)

    assert _backend(engine) != first  # not an error: the ping found it gone


def test_a_connection_used_a_moment_ago_is_handed_out_without_a_ping(engine, monkeypatch):
    pings = []
    monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: pings.append(conn) or True)
    first = _backend(engine)

    assert _backend(engine) == first and pings == []
