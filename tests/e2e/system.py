"""Starting and stopping the real processes of the system for end-to-end tests."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from clinic_cli.processes import ProcessSpec


class RunningSystem:
    """The system's processes, each writing its log to a file the test can read."""

    def __init__(self, specs: list[ProcessSpec], log_dir: Path, api: httpx.Client):
        self.specs = {spec.name: spec for spec in specs}
        self.log_dir = log_dir
        self.api = api
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, **extra_env: str) -> None:
        spec = self.specs[name]
        with open(self.log_dir / f"{name}.log", "ab") as log:
            self.processes[name] = subprocess.Popen(
                spec.argv, env={**spec.env, **extra_env}, cwd=spec.cwd, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self, name: str) -> None:
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def log_text(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in self.log_dir.iterdir())

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
                         for p in self.log_dir.iterdir())

    def wait_for(self, condition: Callable[[], object], timeout: float, what: str):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            time.sleep(0.1)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{self.logs()}")

    def wait_until_ready(self) -> None:
        def ready() -> bool:
            try:
                return self.api.get("/health/ready").status_code == 200
            except httpx.TransportError:
                return False

        self.wait_for(ready, 30, "the API to be ready")
