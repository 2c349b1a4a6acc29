"""`clinic run` brings the whole system up on one machine; `clinic test` runs the test suite."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import typer

from clinic_cli import embedded, run_lock, server_processes
from clinic_cli.processes import (
    DEFAULT_DATA_DIR,
    REPO_ROOT,
    ProcessSpec,
    migration_command,
    system_processes,
)
from clinic_cli.supervisor import ChildDied, GaveUp, Supervisor

API_READY_TIMEOUT_SECONDS = 60.0
PYTEST_NO_TESTS_COLLECTED = 5


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("stop")(stop)
    # Every argument, options included, belongs to pytest.
    app.command(
        "test",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
        add_help_option=False,
    )(test)


def run(
    port: int = typer.Option(8000, help="Port of the intake API on 127.0.0.1."),
    redis_port: int = typer.Option(0, help="Port of the embedded Redis (0: any free port)."),
) -> None:
    """Run the whole system here until Ctrl-C or `clinic stop`.

    Embedded PostgreSQL and Redis start unless DATABASE_URL / REDIS_URL name other servers.
    Then: migrations, the API, the outbox relay, the workers and the scheduler. A process that
    dies or hangs is restarted (clinic_cli/supervisor.py); one that keeps failing stops all.
    """
    # SIGTERM must unwind like Ctrl-C, or the embedded servers would outlive us.
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    data_dir = _data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        with run_lock.held(data_dir) as lock:
            exit_code = _run_system(data_dir, port, redis_port, lock)
    except run_lock.AlreadyRunning as running:
        typer.echo(f"clinic: `clinic run` is already running on {data_dir} (pid {running.pid}); "
                   f"stop it with: {_stop_command(data_dir)}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        exit_code = 0
    typer.echo("clinic: stopped")
    raise typer.Exit(exit_code)


def stop(
    timeout: float = typer.Option(60.0, help="Seconds to wait for it to stop."),
) -> None:
    """Stop the `clinic run` using this data folder (CLINIC_DATA_DIR, default .data)."""
    data_dir = _data_dir()
    pid = run_lock.running_pid(data_dir)
    if pid is None:
        typer.echo(f"clinic: nothing is running on {data_dir}")
        return
    typer.echo(f"clinic: stopping the run on {data_dir} (pid {pid})")
    if pid > 0:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while run_lock.running_pid(data_dir) is not None:
        if time.monotonic() > deadline:
            typer.echo(f"clinic: still running after {timeout:g} s", err=True)
            raise typer.Exit(1)
        time.sleep(0.2)
    typer.echo("clinic: stopped")


def _data_dir() -> Path:
    return (REPO_ROOT / os.environ.get("CLINIC_DATA_DIR", DEFAULT_DATA_DIR)).resolve()


def _stop_command(data_dir: Path) -> str:
    if data_dir == (REPO_ROOT / DEFAULT_DATA_DIR).resolve():
        return "./clinic stop"
    return f"CLINIC_DATA_DIR={data_dir} ./clinic stop"


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _run_system(data_dir: Path, port: int, redis_port: int, lock: run_lock.RunLock) -> int:
    """Starts the servers the environment does not name, migrates, starts the services, and
    supervises everything until a stop signal or a process that keeps failing."""
    from shared.heartbeats import HeartbeatReader  # imports Celery: only for `clinic run`

    env, postgres, servers = _environment(data_dir, redis_port)
    heartbeats = HeartbeatReader(env["REDIS_URL"])
    try:
        with Supervisor(servers, on_spawn=lock.record) as supervisor:
            if postgres:
                env["DATABASE_URL"] = postgres.create_database("clinic")
            _migrate(env)
            supervisor.launch(system_processes(env, api_port=port))
            try:
                _wait_for_api(supervisor, port)
            except (GaveUp, TimeoutError) as problem:
                typer.echo(f"clinic: {problem}; stopping everything", err=True)
                return 1
            # Only now: a heartbeat is looked for once the processes have had time to start.
            supervisor.heartbeats = heartbeats
            _print_where_to_go(env, port)
            return supervisor.wait()
    except ChildDied as died:
        typer.echo(f"clinic: {died}; stopping everything", err=True)
        return 1
    finally:
        heartbeats.close()


def _environment(data_dir: Path, redis_port: int) -> tuple[
        dict[str, str], server_processes.SupervisedPostgres | None, list[ProcessSpec]]:
    """The children's environment, and the servers to start for what it does not name (the
    embedded PostgreSQL's database URL is added once it runs)."""
    env = {"CLINIC_DATA_DIR": str(data_dir), "CLINIC_ENV": "local", **os.environ}
    postgres = None if "DATABASE_URL" in env else server_processes.embedded_postgres(data_dir / "pg")
    servers = [postgres.spec] if postgres else []
    if "REDIS_URL" not in env:
        redis = server_processes.embedded_redis(data_dir / "redis", redis_port or None)
        servers.append(redis.spec)
        env["REDIS_URL"] = redis.url  # with the server's password: every process reads it
    env.setdefault("CLINIC_SECRET_KEY", _local_secret_key(data_dir / "secret_key"))
    # /metrics asks for it: `curl -H "Authorization: Bearer $(cat .data/metrics_token)"`.
    env.setdefault("CLINIC_METRICS_TOKEN", embedded.kept_secret(data_dir / "metrics_token"))
    return env, postgres, servers


def _local_secret_key(path: Path) -> str:
    """Kept on disk so tokens and signatures stay valid across restarts."""
    return embedded.kept_secret(path)


def _migrate(env: dict[str, str]) -> None:
    typer.echo("clinic: applying migrations")
    result = subprocess.run(migration_command(), check=False, env=env, cwd=REPO_ROOT)
    if result.returncode != 0:
        typer.echo("clinic: migrations failed; not starting the services", err=True)
        raise typer.Exit(result.returncode)


def _wait_for_api(supervisor: Supervisor, port: int) -> None:
    deadline = time.monotonic() + API_READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        supervisor.poll()
        try:
            # Ready means the API answers and reaches its database.
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=1):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise TimeoutError(f"the intake API did not answer on port {port}")


def _print_where_to_go(env: dict[str, str], port: int) -> None:
    base = f"http://127.0.0.1:{port}"
    if env.get("SMTP_HOST"):
        mail = f"SMTP server {env['SMTP_HOST']}:{env.get('SMTP_PORT', '25')}"
    else:
        mail = env.get("CLINIC_MAIL_DIR") or str(Path(env["CLINIC_DATA_DIR"]) / "mail")
    typer.echo(
        f"""
clinic: the ankle clinic is running (Ctrl-C stops everything)
  API docs     {base}/docs
  Mail folder  {mail}
  Data         {env['CLINIC_DATA_DIR']}
  Check        curl -s {base}/health/ready
  Metrics      curl -s -H "Authorization: Bearer $(cat {env['CLINIC_DATA_DIR']}/metrics_token)" {base}/metrics
  Try a case   the requests under "Set up" in README.md
"""
    )


def test(ctx: typer.Context) -> None:
    """Run the test suite (arguments go to pytest); exits with pytest's code."""
    process = subprocess.Popen([sys.executable, "-m", "pytest", *ctx.args], cwd=REPO_ROOT)
    # The terminal's Ctrl-C reaches pytest directly and it tears its servers down itself;
    # SIGTERM is passed on, so a CI timeout does the same.
    signal.signal(signal.SIGINT, lambda signum, frame: None)
    signal.signal(signal.SIGTERM, lambda signum, frame: process.send_signal(signum))
    code = process.wait()
    if code == PYTEST_NO_TESTS_COLLECTED:
        if not _has_test_files():
            typer.echo("clinic: there are no tests yet")
            raise typer.Exit(0)
        typer.echo("clinic: no tests were selected; that counts as a failure", err=True)
    raise typer.Exit(code)


def _has_test_files() -> bool:
    tests = REPO_ROOT / "tests"
    return any(tests.rglob("test_*.py")) or any(tests.rglob("*_test.py"))
