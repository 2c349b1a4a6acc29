"""`clinic run` brings the whole system up on one machine; `clinic test` runs the test suite."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import typer

from clinic_cli import embedded
from clinic_cli.processes import DEFAULT_DATA_DIR, REPO_ROOT, migration_command, system_processes
from clinic_cli.supervisor import ChildDied, Supervisor

API_READY_TIMEOUT_SECONDS = 60.0
PYTEST_NO_TESTS_COLLECTED = 5


def register(app: typer.Typer) -> None:
    app.command("run")(run)
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
    """Run the whole system here until Ctrl-C.

    Embedded PostgreSQL and Redis start unless DATABASE_URL / REDIS_URL name other servers.
    Then: migrations, the API, the outbox relay, the workers and the scheduler.
    """
    # SIGTERM must unwind like Ctrl-C, or the embedded servers would outlive us.
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    data_dir = (REPO_ROOT / os.environ.get("CLINIC_DATA_DIR", DEFAULT_DATA_DIR)).resolve()
    try:
        with ExitStack() as servers:
            env = _environment(servers, data_dir, redis_port)
            _migrate(env)
            exit_code = _supervise(env, port)
    except KeyboardInterrupt:
        exit_code = 0
    typer.echo("clinic: stopped")
    raise typer.Exit(exit_code)


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _environment(servers: ExitStack, data_dir: Path, redis_port: int) -> dict[str, str]:
    """The children's environment; starts whichever servers the environment does not name."""
    data_dir.mkdir(parents=True, exist_ok=True)
    servers.enter_context(_only_run_using(data_dir))
    env = {"CLINIC_DATA_DIR": str(data_dir), "CLINIC_ENV": "local", **os.environ}
    if "DATABASE_URL" not in env:
        postgres = servers.enter_context(embedded.start_postgres(data_dir / "pg"))
        env["DATABASE_URL"] = postgres.create_database("clinic")
    if "REDIS_URL" not in env:
        redis = servers.enter_context(embedded.start_redis(data_dir / "redis", redis_port or None))
        env["REDIS_URL"] = redis.url  # with the server's password: every process reads it
    env.setdefault("CLINIC_SECRET_KEY", _local_secret_key(data_dir / "secret_key"))
    return env


@contextmanager
def _only_run_using(data_dir: Path) -> Iterator[None]:
    """Two runs on one data dir would share PostgreSQL but start two Redis servers on one
    append-only file. A flock on the directory itself leaves no file behind, even after a crash."""
    fd = os.open(data_dir, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            typer.echo(f"clinic: another `clinic run` is using {data_dir}", err=True)
            raise typer.Exit(1) from None
        yield
    finally:
        os.close(fd)


def _local_secret_key(path: Path) -> str:
    """Kept on disk so tokens and signatures stay valid across restarts."""
    return embedded.kept_secret(path)


def _migrate(env: dict[str, str]) -> None:
    typer.echo("clinic: applying migrations")
    result = subprocess.run(migration_command(), check=False, env=env, cwd=REPO_ROOT)
    if result.returncode != 0:
        typer.echo("clinic: migrations failed; not starting the services", err=True)
        raise typer.Exit(result.returncode)


def _supervise(env: dict[str, str], port: int) -> int:
    with Supervisor(system_processes(env, api_port=port)) as supervisor:
        try:
            _wait_for_api(supervisor, port)
        except (ChildDied, TimeoutError) as problem:
            typer.echo(f"clinic: {problem}; stopping everything", err=True)
            return 1
        _print_where_to_go(env, port)
        return supervisor.wait()


def _wait_for_api(supervisor: Supervisor, port: int) -> None:
    deadline = time.monotonic() + API_READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        supervisor.check_alive()
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
