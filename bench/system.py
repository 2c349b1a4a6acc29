"""Starting the product's processes (and the baselines') for one measurement, and stopping them.

The specs come from clinic_cli.processes.system_processes, so the bench runs exactly what
`clinic run` runs; only the worker counts are changed. Their output goes to a log file.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from bench.profiler import PROFILE_DIR_VARIABLE, profiled
from clinic_cli.embedded import free_port
from clinic_cli.processes import ProcessSpec, system_processes
from clinic_cli.supervisor import Supervisor

READY_TIMEOUT_SECONDS = 60.0


class LogSink:
    """A file the supervisor writes every child's lines to, which can be waited on for a line."""

    def __init__(self, path: Path):
        self.file = path.open("a", buffering=1)
        self._lines: list[str] = []
        self._changed = threading.Condition()

    def write(self, text: str) -> None:
        self.file.write(text)
        with self._changed:
            self._lines.append(text)
            del self._lines[:-200]
            self._changed.notify_all()

    def flush(self) -> None:
        self.file.flush()

    def mark(self) -> None:
        """Forget the lines so far: a later wait_for sees only what comes after."""
        with self._changed:
            self._lines.clear()

    def wait_for(self, *needles: str, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        """Until a line written since the last mark() contains every needle."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not any(all(n in line for n in needles) for line in self._lines):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no line with {needles} in the process log")
                self._changed.wait(left)

    def close(self) -> None:
        self.file.close()


def product_spec(env: dict[str, str], name: str, workers: int = 1, port: int = 0) -> ProcessSpec:
    """One of the system's processes; `workers`: uvicorn workers (api) or pool size (triage)."""
    spec = next(s for s in system_processes(env, api_port=port or 8000) if s.name == name)
    argv = list(spec.argv)
    if name == "api" and workers > 1:
        argv += ["--workers", str(workers)]
    if "--concurrency" in argv:
        argv[argv.index("--concurrency") + 1] = str(workers)
    return replace(spec, argv=argv)


def baseline_app_spec(env: dict[str, str], port: int, workers: int = 1) -> ProcessSpec:
    argv = [sys.executable, "-m", "uvicorn", "bench.baseline_app:create_app", "--factory",
            "--host", "127.0.0.1", "--port", str(port)]
    if workers > 1:
        argv += ["--workers", str(workers)]
    return ProcessSpec(name="baseline-api", argv=argv, env={**env, "PYTHONUNBUFFERED": "1"})


def baseline_worker_spec(env: dict[str, str], workers: int = 1) -> ProcessSpec:
    argv = [sys.executable, "-m", "celery", "-A", "bench.baseline_worker", "worker",
            "-Q", "bench", "-n", "bench@%h", "--concurrency", str(workers), "--loglevel", "INFO"]
    return ProcessSpec(name="baseline-worker", argv=argv, env={**env, "PYTHONUNBUFFERED": "1"})


@contextmanager
def running(specs: list[ProcessSpec], log: LogSink) -> Iterator[Supervisor]:
    supervisor = Supervisor(specs, out=log, stop_grace_seconds=10)
    log.mark()  # a "ready." line of an earlier run of the same process must not count
    profile_dir = os.environ.get(PROFILE_DIR_VARIABLE)
    with supervisor:
        if profile_dir:
            with profiled(supervisor, Path(profile_dir)):
                yield supervisor
        else:
            yield supervisor


def wait_http(url: str, supervisor: Supervisor, timeout: float = READY_TIMEOUT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        supervisor.poll()  # restarts a child that died; raises GaveUp on a crash loop
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answered
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer")


def wait_worker_ready(log: LogSink, name: str, supervisor: Supervisor) -> None:
    """Celery prints '<name>@<host> ready.' once it consumes."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while True:
        supervisor.poll()  # restarts a child that died; raises GaveUp on a crash loop
        try:
            log.wait_for(f"{name}@", "ready.", timeout=0.5)
            return
        except TimeoutError:
            if time.monotonic() > deadline:
                raise


def ports(count: int) -> list[int]:
    return [free_port() for _ in range(count)]
