"""The system's processes, defined once: `clinic run` and the end-to-end test start these.

    env = {**os.environ, "DATABASE_URL": ..., "REDIS_URL": ..., "CLINIC_DATA_DIR": ...}
    subprocess.run(migration_command(), env=env, cwd=REPO_ROOT, check=True)
    specs = system_processes(env, api_port=8000)   # api, relay, triage, notify, scheduler

Every command runs with `cwd=REPO_ROOT` under this interpreter, and reads its configuration
from the environment only. docker-compose.yml runs the same entry points (a test checks it).
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = ".data"
# The processes that publish a heartbeat under their own name (shared/heartbeats.py); the API
# answers HTTP instead.
HEARTBEAT_KINDS = ("relay", "triage", "notify", "scheduler")


@dataclass(frozen=True)
class ProcessSpec:
    """One long-running process: a short name for log prefixes, its argv and full environment,
    and how clinic_cli/supervisor.py treats it."""

    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path = field(default=REPO_ROOT)
    # The kind its heartbeat is published under (shared/heartbeats.py); None: it sends none.
    heartbeat: str | None = None
    stop_signal: int = signal.SIGTERM
    # Sent by the kernel when the supervisor dies, even by SIGKILL. SIGKILL: a frozen or
    # stubborn process ignores anything else, and every process here survives a kill by
    # design (late acks, the outbox, Redis's append-only file, PostgreSQL's WAL).
    death_signal: int = signal.SIGKILL
    # Answers True once the process serves (the next process is started only then).
    ready: Callable[[], bool] | None = field(default=None, compare=False)
    # Runs before every start (clears what a crash left behind, e.g. a stale pid file).
    before_start: Callable[[], None] | None = field(default=None, compare=False)
    user: str | None = None  # run as this user (PostgreSQL refuses to run as root)


def migration_command() -> list[str]:
    return [sys.executable, "-m", "alembic", "upgrade", "head"]


def system_processes(env: dict[str, str], api_port: int) -> list[ProcessSpec]:
    """The long-running processes, in start order, each with a copy of `env`.

    `env` must already name the servers (DATABASE_URL, REDIS_URL) and may set any CLINIC_*
    variable; CLINIC_PUBLIC_URL defaults to the API started here.
    """
    process_env = {
        "CLINIC_PUBLIC_URL": f"http://127.0.0.1:{api_port}",
        # One metrics folder for every process on this machine: the API's /metrics shows
        # them all (shared/observability/metrics.py), emptied here so no run adds to the last.
        "PROMETHEUS_MULTIPROC_DIR": str(_data_dir(env) / "metrics"),
        **env,
        # Children write through a pipe; unbuffered output keeps the prefixed log in real time.
        "PYTHONUNBUFFERED": "1",
    }
    schedule_file = _data_dir(process_env) / "celerybeat-schedule"
    _fresh_metrics_dir(Path(process_env["PROMETHEUS_MULTIPROC_DIR"]))
    commands = {
        # --no-proxy-headers: the app believes X-Forwarded-For only from the proxies named in
        # CLINIC_TRUSTED_PROXIES (uvicorn's own default believes any local caller).
        "api": ["-m", "uvicorn", "services.intake.app:create_app", "--factory",
                "--host", "127.0.0.1", "--port", str(api_port), "--no-proxy-headers"],
        "relay": ["-m", "shared.outbox.relay"],
        "triage": ["-m", "celery", "-A", "services.triage.worker", "worker", "-Q", "triage",
                   "-n", "triage@%h", "--concurrency", "2", "--loglevel", "INFO"],
        "notify": ["-m", "celery", "-A", "services.notify.worker", "worker", "-Q", "notify",
                   "-n", "notify@%h", "--concurrency", "1", "--loglevel", "INFO"],
        "scheduler": ["-m", "celery", "-A", "services.notify.worker", "beat",
                      "--loglevel", "INFO", "--schedule", str(schedule_file)],
    }
    return [
        ProcessSpec(name=name, argv=[sys.executable, *args], env=dict(process_env),
                    heartbeat=name if name in HEARTBEAT_KINDS else None)
        for name, args in commands.items()
    ]


def _data_dir(env: dict[str, str]) -> Path:
    return REPO_ROOT / env.get("CLINIC_DATA_DIR", DEFAULT_DATA_DIR)


def _fresh_metrics_dir(path: Path) -> None:
    """Samples a previous run left would be added to this run's, and a process id reused."""
    path.mkdir(parents=True, exist_ok=True)
    for leftover in path.glob("*.db"):
        leftover.unlink(missing_ok=True)
