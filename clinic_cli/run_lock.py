"""One `clinic run` per data folder: a lock file holding its PID and its children's.

Two runs on one folder would start two Redis servers on one append-only file and stop each
other's PostgreSQL. The lock is an fcntl lock on `<data dir>/clinic-run.lock`: the kernel drops
it when the run's process ends, however it ends, so a crash never leaves a lock to delete by
hand. The file also lists the processes the run started; the next run waits for any of them
still running (a killed run's children get a parent-death signal, clinic_cli/supervisor.py, and
may take a moment to go) and kills what is left of their process groups, so nothing of the old
run touches the data once the new one starts.

    with run_lock.held(data_dir) as lock:   # raises AlreadyRunning(pid) when another run holds it
        lock.record(pids)                   # the supervisor's children, after each start
    run_lock.running_pid(data_dir)          # `clinic stop`: the running run's PID, or None
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

LOCK_FILE = "clinic-run.lock"
LEFTOVER_GRACE_SECONDS = 10.0


class AlreadyRunning(Exception):
    def __init__(self, pid: int | None, path: Path):
        super().__init__(f"another `clinic run` (pid {pid}) holds {path}")
        self.pid, self.path = pid, path


@dataclass
class RunLock:
    fd: int

    def record(self, pids: list[int]) -> None:
        """Writes this run's PID and its children's (with their start times, so a reused PID
        is never mistaken for one of ours)."""
        children = []
        for pid in pids:
            try:
                children.append([pid, psutil.Process(pid).create_time()])
            except psutil.NoSuchProcess:
                continue
        _write(self.fd, {"pid": os.getpid(), "children": children})


@contextmanager
def held(data_dir: Path) -> Iterator[RunLock]:
    path = data_dir / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(_read(fd).get("pid"), path) from None
        leftovers = _read(fd).get("children", [])
        lock = RunLock(fd)
        lock.record([])
        clear_leftovers(leftovers)
        yield lock
        lock.record([])  # a clean stop leaves no children to wait for
    finally:
        os.close(fd)  # releases the lock


def running_pid(data_dir: Path) -> int | None:
    """The PID of the `clinic run` holding the lock on `data_dir`, None when none does."""
    path = data_dir / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read(fd).get("pid") or -1
        return None
    finally:
        os.close(fd)


def clear_leftovers(children: list[list[float]], grace: float = LEFTOVER_GRACE_SECONDS) -> list[int]:
    """Waits up to `grace` seconds for a previous run's children to exit, then kills what is
    left of their process groups (the supervisor made each child a group leader, so the group
    also holds what it forked). Returns the PIDs that were still running at first."""
    ours = [int(pid) for pid, started in children if _same_process(int(pid), started)]
    deadline = time.monotonic() + grace
    while _groups_alive(ours) and time.monotonic() < deadline:
        time.sleep(0.1)
    for group in _groups_alive(ours):
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return ours


def _same_process(pid: int, started: float) -> bool:
    try:
        return abs(psutil.Process(pid).create_time() - started) < 0.01
    except psutil.NoSuchProcess:
        # The leader is gone; its group may not be (a forked child): look for members.
        return True


def _groups_alive(groups: list[int]) -> list[int]:
    alive = set()
    for process in psutil.process_iter():
        try:
            if process.status() != psutil.STATUS_ZOMBIE and os.getpgid(process.pid) in groups:
                alive.add(os.getpgid(process.pid))
        except (psutil.NoSuchProcess, ProcessLookupError):
            continue
    return sorted(alive)


def _read(fd: int) -> dict:
    os.lseek(fd, 0, os.SEEK_SET)
    raw = b""
    while chunk := os.read(fd, 65536):
        raw += chunk
    try:
        return json.loads(raw or b"{}")
    except json.JSONDecodeError:
        return {}


def _write(fd: int, content: dict) -> None:
    data = json.dumps(content).encode()
    os.lseek(fd, 0, os.SEEK_SET)
    os.ftruncate(fd, 0)
    os.write(fd, data)
