"""The supervisor stops every child, and their children, and never hides a dead one."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import textwrap
import threading
import time

from clinic_cli.embedded import process_alive
from clinic_cli.processes import REPO_ROOT

# One write per line: with PYTHONUNBUFFERED, print() writes its pieces separately and the
# lines of a forked pair would interleave.
REPORT_PID = (
    "import os, signal, sys, time; sys.stdout.write(f'pid {os.getpid()}\\n'); sys.stdout.flush(); "
)
SLEEPER = REPORT_PID + "time.sleep(60)"
FORKING_SLEEPER = "import os; os.fork(); " + REPORT_PID + "time.sleep(60)"
IGNORES_SIGTERM = (
    "import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN); " + REPORT_PID + "time.sleep(60)"
)
DIES_SOON = REPORT_PID + "time.sleep(0.5); sys.exit(3)"


def start_supervisor(children: dict[str, str], grace: float = 5.0) -> subprocess.Popen[str]:
    """Runs a Supervisor in its own process, as `clinic run` does, over `python -c` children."""
    script = textwrap.dedent(
        f"""
        import os, sys
        from clinic_cli.processes import ProcessSpec
        from clinic_cli.supervisor import Supervisor
        children = {children!r}
        specs = [ProcessSpec(name, [sys.executable, "-c", code], dict(os.environ))
                 for name, code in children.items()]
        with Supervisor(specs, stop_grace_seconds={grace}) as supervisor:
            sys.exit(supervisor.wait())
        """
    )
    return subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
    )


def read_pids(supervisor: subprocess.Popen[str], count: int) -> list[int]:
    # Killing a stuck supervisor ends its output, so a missing line fails instead of hanging.
    watchdog = threading.Timer(20, supervisor.kill)
    watchdog.start()
    pids: list[int] = []
    try:
        while len(pids) < count:
            line = supervisor.stdout.readline()
            assert line, "the supervisor's output ended before every child reported"
            if match := re.search(r"\| pid (\d+)$", line):
                pids.append(int(match.group(1)))
    finally:
        watchdog.cancel()
    return pids


def stop(supervisor: subprocess.Popen[str], timeout: float = 15) -> tuple[int, str]:
    supervisor.send_signal(signal.SIGTERM)
    output, _ = supervisor.communicate(timeout=timeout)
    return supervisor.returncode, output


def assert_all_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + 5
    while any(process_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in pids if process_alive(pid)] == []


def test_sigterm_to_the_supervisor_stops_every_child_and_grandchild_and_exits_zero():
    supervisor = start_supervisor({"api": SLEEPER, "worker": FORKING_SLEEPER})
    pids = read_pids(supervisor, 3)

    code, _ = stop(supervisor)

    assert code == 0
    assert_all_gone(pids)


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period():
    supervisor = start_supervisor({"stubborn": IGNORES_SIGTERM}, grace=0.5)
    pids = read_pids(supervisor, 1)

    code, output = stop(supervisor)

    assert code == 0
    assert "'stubborn' ignored SIGTERM" in output
    assert_all_gone(pids)


def test_a_child_that_dies_is_reported_and_brings_everything_down_with_a_failure():
    supervisor = start_supervisor({"relay": DIES_SOON, "api": SLEEPER})
    pids = read_pids(supervisor, 2)

    output, _ = supervisor.communicate(timeout=15)

    assert supervisor.returncode == 1
    assert "process 'relay' exited unexpectedly with code 3" in output
    assert_all_gone(pids)


def test_output_lines_carry_the_process_name_padded_to_the_longest():
    supervisor = start_supervisor({"api": SLEEPER, "scheduler": SLEEPER})
    read_pids(supervisor, 2)

    _, output = stop(supervisor)

    assert re.search(r"^clinic    \| stopping$", output, re.MULTILINE)
