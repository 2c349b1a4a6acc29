"""The benchmark's servers: the configured ones (DATABASE_URL / REDIS_URL), else embedded ones
started in a temporary directory and removed afterwards.

On a configured PostgreSQL the bench creates its own database (`bench_<pid>`), migrates it and
drops it at the end: the database DATABASE_URL names is never touched. On a configured Redis
it uses database BENCH_REDIS_DB (default 13) of that server, refuses to start unless that
database is empty, and empties it again at the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import redis
from psycopg import sql
from sqlalchemy.engine import make_url

from clinic_cli import embedded
from clinic_cli.processes import REPO_ROOT, migration_command

DEFAULT_REDIS_DB = 13


@dataclass(frozen=True)
class Servers:
    database_url: str  # the bench's own, migrated database
    redis_url: str  # the bench's own Redis database
    data_dir: Path  # scratch space: scheduler state, logs of the processes
    source: str  # "configured" or "embedded", for the report


@contextmanager
def bench_servers(environ: dict[str, str] | None = None) -> Iterator[Servers]:
    environ = dict(os.environ if environ is None else environ)
    with ExitStack() as stack:
        scratch = Path(tempfile.mkdtemp(prefix="clinic-bench-"))
        stack.callback(shutil.rmtree, scratch, ignore_errors=True)
        embedded_servers = "DATABASE_URL" not in environ or "REDIS_URL" not in environ
        if "DATABASE_URL" in environ:
            database_url = stack.enter_context(_private_database(environ["DATABASE_URL"]))
        else:
            postgres = stack.enter_context(embedded.start_postgres(scratch / "pg"))
            database_url = postgres.create_database("bench")
        if "REDIS_URL" in environ:
            db = int(environ.get("BENCH_REDIS_DB", DEFAULT_REDIS_DB))
            redis_url = stack.enter_context(_empty_redis_db(environ["REDIS_URL"], db))
        else:
            redis_url = stack.enter_context(embedded.start_redis(scratch / "redis")).url
        migrate(database_url)
        yield Servers(database_url, redis_url, scratch,
                      "embedded" if embedded_servers else "configured")


def migrate(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run(migration_command(), env=env, cwd=REPO_ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def libpq_url(url: str) -> str:
    """A URL psycopg and asyncpg read directly (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def _private_database(server_url: str) -> Iterator[str]:
    name = f"bench_{os.getpid()}"
    maintenance = libpq_url(server_url)
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(maintenance).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


@contextmanager
def _empty_redis_db(server_url: str, db: int) -> Iterator[str]:
    url = make_url_with_db(server_url, db)
    client = redis.Redis.from_url(url)
    try:
        if client.dbsize():
            raise RuntimeError(f"Redis database {db} is not empty; set BENCH_REDIS_DB to a spare one")
        yield url
    finally:
        client.flushdb()
        client.close()


def make_url_with_db(redis_url: str, db: int) -> str:
    base = redis_url.split("?")[0].rstrip("/")
    scheme, _, rest = base.partition("://")
    host = rest.split("/")[0]
    return f"{scheme}://{host}/{db}"
