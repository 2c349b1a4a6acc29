"""Runs a set of child processes together and stops them together.

Each child gets its own process group, so a terminal's Ctrl-C reaches only the supervisor,
which then stops the children in order; and stopping a group also stops what a child forked
itself (Celery's pool processes). Nothing is restarted: a child that dies is reported and
brings the whole set down, because a half-running system hides the failure.

    with Supervisor(specs) as supervisor:      # starts all, stops all on leaving
        exit_code = supervisor.wait()           # until SIGINT/SIGTERM or a child dies

Tests that drive the processes themselves use `start()`, `check_alive()` and `stop()`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Self, TextIO

from clinic_cli.processes import ProcessSpec

STOP_GRACE_SECONDS = 10.0
POLL_SECONDS = 0.2


class ChildDied(RuntimeError):
    pass


@dataclass
class Child:
    spec: ProcessSpec
    process: subprocess.Popen[bytes]

    @property
    def name(self) -> str:
        return self.spec.name


class Supervisor:
    def __init__(
        self,
        specs: Iterable[ProcessSpec],
        out: TextIO | None = None,
        stop_grace_seconds: float = STOP_GRACE_SECONDS,
    ) -> None:
        self.specs = list(specs)
        self.out = out or sys.stdout
        self.stop_grace_seconds = stop_grace_seconds
        self.children: list[Child] = []
        self._stopping = threading.Event()
        self._out_lock = threading.Lock()
        self._width = max((len(spec.name) for spec in self.specs), default=0)

    def start(self) -> None:
        try:
            for spec in self.specs:
                self._spawn(spec)
        except BaseException:
            self.stop()
            raise

    def _spawn(self, spec: ProcessSpec) -> None:
        process = subprocess.Popen(
            spec.argv, env=spec.env, cwd=spec.cwd, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, process_group=0,
        )
        self.children.append(Child(spec, process))
        threading.Thread(target=self._relay_output, args=(spec.name, process), daemon=True).start()

    def check_alive(self) -> None:
        """Raises ChildDied naming the first child that has exited."""
        for child in self.children:
            code = child.process.poll()
            if code is not None:
                raise ChildDied(f"process '{child.name}' exited unexpectedly with code {code}")

    def wait(self) -> int:
        """Blocks until SIGINT/SIGTERM (returns 0) or a child's death (returns 1); then stops all."""
        previous = {sig: signal.signal(sig, self._request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            while not self._stopping.wait(POLL_SECONDS):
                try:
                    self.check_alive()
                except ChildDied as died:
                    self._say(f"{died}; stopping everything")
                    return 1
            self._say("stopping")
            return 0
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def stop(self) -> None:
        """SIGTERM to every child's group, wait, then SIGKILL whatever is left; idempotent."""
        self._stopping.set()
        for child in reversed(self.children):
            _signal_group(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_grace_seconds
        for child in reversed(self.children):
            try:
                child.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._say(f"process '{child.name}' ignored SIGTERM; killing it")
            # The group can outlive its leader (a forked pool worker): kill the stragglers too.
            _signal_group(child.process.pid, signal.SIGKILL)
            child.process.wait()

    def _request_stop(self, signum: int, frame: object) -> None:
        self._stopping.set()

    def _relay_output(self, name: str, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        prefix = f"{name:<{self._width}} | "
        for raw in process.stdout:
            self._write(prefix + raw.decode(errors="replace").rstrip("\n") + "\n")

    def _say(self, message: str) -> None:
        self._write(f"{'clinic':<{self._width}} | {message}\n")

    def _write(self, text: str) -> None:
        with self._out_lock:
            self.out.write(text)
            self.out.flush()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass
