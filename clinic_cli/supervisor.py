"""Runs the system's processes, restarts the ones that fail, and stops them together.

Like systemd's `Restart=on-failure` with `StartLimitBurst`: a child that exits, is killed, or
(when its spec names a heartbeat) stops beating is restarted after a delay that doubles with
each recent failure (0.5 s, 1 s, 2 s, ... at most 30 s). A child that fails more than `burst`
times within `interval_seconds` stops the whole system: a crash loop needs a person, and a
half-running system would hide it. Every failure and restart is logged with its reason.

Each child gets its own process group, so a terminal's Ctrl-C reaches only the supervisor,
which then stops the children in reverse start order; and killing a group also ends what a
child forked itself (Celery's pool processes, PostgreSQL's backends). Each child also gets a
parent-death signal (prctl PR_SET_PDEATHSIG): when the supervisor dies, even by SIGKILL, the
kernel signals its children, so none is left running unwatched.

    with Supervisor(servers) as supervisor:    # starts each, waiting until it is ready
        supervisor.launch(services)            # more children, once the servers answer
        exit_code = supervisor.wait()          # until SIGINT/SIGTERM or a child keeps failing

The parent-death signal fires when the *thread* that forked the child ends, so children are
only ever started from the thread that calls start(), launch(), poll() and wait().
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol, Self, TextIO

from clinic_cli.process_signals import describe, die_with_parent, send, signal_group
from clinic_cli.processes import ProcessSpec

STOP_GRACE_SECONDS = 10.0
POLL_SECONDS = 0.2
HEARTBEAT_CHECK_SECONDS = 1.0
READY_TIMEOUT_SECONDS = 60.0


class ChildDied(RuntimeError):
    """A child died while it was being started (before it was ready)."""


class GaveUp(RuntimeError):
    """A child kept failing: more than the restart policy's burst within its interval."""


class Heartbeats(Protocol):
    """shared/heartbeats.py's HeartbeatReader: `stale` answers False when it cannot tell."""

    def stale(self, kind: str, pid: int) -> bool: ...

    def forget(self, kind: str, pid: int) -> None: ...


@dataclass(frozen=True)
class RestartPolicy:
    first_delay_seconds: float = 0.5
    max_delay_seconds: float = 30.0
    burst: int = 5  # failures allowed within interval_seconds; one more stops everything
    interval_seconds: float = 120.0
    # A fresh process has this long to send its first heartbeat (shared/heartbeats.py).
    heartbeat_grace_seconds: float = 30.0

    def delay(self, recent_failures: int) -> float:
        return min(self.first_delay_seconds * 2 ** (recent_failures - 1), self.max_delay_seconds)


@dataclass
class Child:
    spec: ProcessSpec
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0  # monotonic
    restart_at: float | None = None  # monotonic; set while waiting out the backoff
    failures: deque[float] = field(default_factory=deque)  # monotonic times, recent ones
    wave: int = 0  # which launch() started it; later waves are stopped first

    @property
    def name(self) -> str:
        return self.spec.name


class Supervisor:
    def __init__(
        self,
        specs: Iterable[ProcessSpec] = (),
        out: TextIO | None = None,
        stop_grace_seconds: float = STOP_GRACE_SECONDS,
        policy: RestartPolicy | None = None,
        heartbeats: Heartbeats | None = None,
        on_spawn: Callable[[list[int]], None] | None = None,
    ) -> None:
        self.specs = list(specs)
        self.out = out or sys.stdout
        self.stop_grace_seconds = stop_grace_seconds
        self.policy = policy or RestartPolicy()
        self.heartbeats = heartbeats
        self.on_spawn = on_spawn  # told every child's pid after each start (the run lock)
        self.children: list[Child] = []
        self._stopping = threading.Event()
        self._out_lock = threading.Lock()
        self._width = max((len(spec.name) for spec in self.specs), default=0)
        self._next_heartbeat_check = 0.0
        self._parent_pid = os.getpid()

    # --- starting -------------------------------------------------------------------------

    def start(self) -> None:
        self.launch(self.specs)

    def launch(self, specs: Iterable[ProcessSpec]) -> None:
        """Starts each spec in order, waiting for the ready check of those that have one."""
        wave = 1 + max((c.wave for c in self.children), default=0)
        try:
            for spec in specs:
                self._width = max(self._width, len(spec.name))
                child = Child(spec, wave=wave)
                self.children.append(child)
                self._spawn(child)
                if spec.ready is not None:
                    self._wait_until_ready(child)
        except BaseException:
            self.stop()
            raise

    def _wait_until_ready(self, child: Child) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not child.spec.ready():
            assert child.process is not None
            if child.process.poll() is not None:
                raise ChildDied(f"process '{child.name}' exited with "
                                f"{describe(child.process.returncode)} while starting")
            if time.monotonic() > deadline:
                raise ChildDied(f"process '{child.name}' was not ready after "
                                f"{READY_TIMEOUT_SECONDS:.0f} s")
            time.sleep(0.1)

    def _spawn(self, child: Child) -> None:
        spec = child.spec
        if spec.before_start is not None:
            spec.before_start()
        # preexec_fn with threads running (the output relays): safe here because it takes no
        # lock; it calls one libc function looked up before the fork, then getppid/kill.
        process = subprocess.Popen(
            spec.argv, env=spec.env, cwd=spec.cwd, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, process_group=0,
            user=spec.user,
            preexec_fn=die_with_parent(self._parent_pid, spec.death_signal),  # noqa: PLW1509
        )
        child.process, child.started_at, child.restart_at = process, time.monotonic(), None
        threading.Thread(target=self._relay_output, args=(spec.name, process), daemon=True).start()
        if self.on_spawn is not None:
            self.on_spawn(self.pids())

    def pids(self) -> list[int]:
        return [c.process.pid for c in self.children if c.process is not None]

    # --- watching -------------------------------------------------------------------------

    def poll(self) -> None:
        """One round: restarts whatever died or hung and is due; raises GaveUp on a crash loop."""
        now = time.monotonic()
        check_heartbeats = self.heartbeats is not None and now >= self._next_heartbeat_check
        if check_heartbeats:
            self._next_heartbeat_check = now + HEARTBEAT_CHECK_SECONDS
        for child in self.children:
            if self._stopping.is_set():
                return
            if child.process is None:
                if child.restart_at is not None and now >= child.restart_at:
                    self._say(f"restarting '{child.name}'")
                    self._spawn(child)
                continue
            code = child.process.poll()
            if code is not None:
                self._failed(child, f"exited with {describe(code)}")
            elif check_heartbeats and self._hung(child, now):
                pid = child.process.pid
                signal_group(pid, signal.SIGKILL)
                child.process.wait()
                self.heartbeats.forget(child.spec.heartbeat, pid)
                self._failed(child, "sent no heartbeat (hung or frozen); killed it")

    def _hung(self, child: Child, now: float) -> bool:
        kind = child.spec.heartbeat
        if kind is None or now - child.started_at < self.policy.heartbeat_grace_seconds:
            return False
        return self.heartbeats.stale(kind, child.process.pid)

    def _failed(self, child: Child, why: str) -> None:
        assert child.process is not None
        # What the child forked (pool processes, backends) goes with it.
        signal_group(child.process.pid, signal.SIGKILL)
        child.process = None
        now = time.monotonic()
        child.failures.append(now)
        while child.failures and now - child.failures[0] > self.policy.interval_seconds:
            child.failures.popleft()
        recent = len(child.failures)
        window = f"{self.policy.interval_seconds:.0f} s"
        if recent > self.policy.burst:
            raise GaveUp(f"process '{child.name}' {why}: {recent} failures within {window}, "
                         f"more than the {self.policy.burst} allowed")
        delay = self.policy.delay(recent)
        child.restart_at = now + delay
        self._say(f"process '{child.name}' {why}; restarting it in {delay:g} s "
                  f"(failure {recent} of {self.policy.burst} allowed within {window})")

    def wait(self) -> int:
        """Supervises until SIGINT/SIGTERM (returns 0) or a child keeps failing (returns 1);
        then stops all."""
        previous = {sig: signal.signal(sig, self._request_stop)
                    for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            while not self._stopping.wait(POLL_SECONDS):
                try:
                    self.poll()
                except GaveUp as gave_up:
                    self._say(f"{gave_up}; stopping everything")
                    return 1
            self._say("stopping")
            return 0
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    # --- stopping -------------------------------------------------------------------------

    def stop(self) -> None:
        """Stops the children one launch() at a time, the last launched first (the services,
        then the servers they use): each child's stop signal (SIGTERM unless its spec says
        otherwise), a grace period, then SIGKILL to whatever is left of each group; idempotent."""
        self._stopping.set()
        for wave in sorted({c.wave for c in self.children}, reverse=True):
            self._stop_all([c for c in reversed(self.children)
                            if c.wave == wave and c.process is not None])

    def _stop_all(self, running: list[Child]) -> None:
        for child in running:
            send(child.process.pid, child.spec.stop_signal)
        deadline = time.monotonic() + self.stop_grace_seconds
        for child in running:
            try:
                child.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._say(f"process '{child.name}' ignored its stop signal; killing it")
            # The group can outlive its leader (a forked pool worker): kill the stragglers too.
            signal_group(child.process.pid, signal.SIGKILL)
            child.process.wait()

    def _request_stop(self, signum: int, frame: object) -> None:
        self._stopping.set()

    # --- output ---------------------------------------------------------------------------

    def _relay_output(self, name: str, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            prefix = f"{name:<{self._width}} | "
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
