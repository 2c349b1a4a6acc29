"""Signals between the supervisor and its children: the parent-death signal, and sending a
signal to a process (or its group) that may already be gone."""

from __future__ import annotations

import ctypes
import os
import signal
from collections.abc import Callable

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int, death_signal: int) -> Callable[[], None] | None:
    """A preexec_fn asking the kernel to send `death_signal` to the child when its parent
    dies. It runs after the fork (and after any change of user, which would clear it)."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork
    except (OSError, AttributeError):
        return None  # not Linux: children are still stopped by stop(), just not on a crash

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, int(death_signal), 0, 0, 0)
        if os.getppid() != parent_pid:  # the parent died before the prctl took effect
            os.kill(os.getpid(), death_signal)

    return preexec


def describe(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"signal {-returncode}"
    return f"code {returncode}"


def send(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass
