"""The supervisor restarts a child that dies or hangs, with a backoff and a limit; stops every
child, and their children, on a signal; and takes them all with it when it is killed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time

import psutil

from clinic_cli.processes import REPO_ROOT
from tests.process_state import process_alive

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
# A quick policy: restarts after 0.1 s, 0.2 s, 0.4 s; the fourth failure within a minute stops all.
QUICK = "RestartPolicy(first_delay_seconds=0.1, burst=3, interval_seconds=60, " \
        "heartbeat_grace_seconds=0.5)"


def start_supervisor(children: dict[str, str], grace: float = 5.0,
                     beating: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    """Runs a Supervisor in its own process, as `clinic run` does, over `python -c` children.

    The children named in `beating` have a heartbeat that stops while the process is stopped
    (SIGSTOP), as shared/heartbeats.py's thread does; the real heartbeat is in tests/faults."""
    script = textwrap.dedent(
        f"""
        import os, sys
        import psutil
        from clinic_cli.processes import ProcessSpec
        from clinic_cli.supervisor import RestartPolicy, Supervisor

        class FrozenMeansStale:
            def stale(self, kind, pid):
                return psutil.Process(pid).status() == psutil.STATUS_STOPPED
            def forget(self, kind, pid):
                pass

        children = {children!r}
        beating = {beating!r}
        specs = [ProcessSpec(name, [sys.executable, "-c", code], dict(os.environ),
                             heartbeat=name if name in beating else None)
                 for name, code in children.items()]
        with Supervisor(specs, stop_grace_seconds={grace}, policy={QUICK},
                        heartbeats=FrozenMeansStale()) as supervisor:
            sys.exit(supervisor.wait())
        """
    )
    return subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
    )


SEEN: dict[int, list[str]] = {}  # supervisor pid -> the lines read_pids consumed


def read_pids(supervisor: subprocess.Popen[str], count: int) -> list[int]:
    return list(read_named_pids(supervisor, count).values())


def read_named_pids(supervisor: subprocess.Popen[str], count: int) -> dict[str, int]:
    """The next `count` children to report, by name (in whatever order they started)."""
    # Killing a stuck supervisor ends its output, so a missing line fails instead of hanging.
    watchdog = threading.Timer(20, supervisor.kill)
    watchdog.start()
    pids: dict[str, int] = {}
    try:
        while len(pids) < count:
            line = supervisor.stdout.readline()
            assert line, "the supervisor's output ended before every child reported"
            SEEN.setdefault(supervisor.pid, []).append(line)
            if match := re.search(r"^(\S+) +\| pid (\d+)$", line):
                pids[f"{match.group(1)}#{len(pids)}" if match.group(1) in pids
                     else match.group(1)] = int(match.group(2))
    finally:
        watchdog.cancel()
    return pids


def rest_of_output(supervisor: subprocess.Popen[str], timeout: float = 15) -> str:
    """Everything the supervisor wrote, once it has exited."""
    output, _ = supervisor.communicate(timeout=timeout)
    return "".join(SEEN.pop(supervisor.pid, [])) + output


def stop(supervisor: subprocess.Popen[str], timeout: float = 15) -> tuple[int, str]:
    supervisor.send_signal(signal.SIGTERM)
    output = rest_of_output(supervisor, timeout)
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
    assert "'stubborn' ignored its stop signal" in output
    assert_all_gone(pids)


def test_a_killed_child_is_restarted_and_the_others_keep_running():
    supervisor = start_supervisor({"api": SLEEPER, "relay": SLEEPER})
    pids = read_named_pids(supervisor, 2)
    api, relay = pids["api"], pids["relay"]

    os.kill(relay, signal.SIGKILL)
    new_relay = read_named_pids(supervisor, 1)["relay"]
    code, output = stop(supervisor)

    assert new_relay != relay
    assert "process 'relay' exited with signal SIGKILL; restarting it in 0.1 s" in output
    assert "(failure 1 of 3 allowed within 60 s)" in output
    assert len(re.findall(r"^api +\| pid \d+$", output, re.MULTILINE)) == 1  # never restarted
    assert code == 0
    assert_all_gone([api, relay, new_relay])


def test_a_child_that_keeps_failing_is_restarted_with_doubling_delays_then_stops_everything():
    supervisor = start_supervisor({"relay": DIES_SOON, "api": SLEEPER})
    pids = read_pids(supervisor, 2)

    output = rest_of_output(supervisor, timeout=30)

    assert supervisor.returncode == 1
    delays = re.findall(r"process 'relay' exited with code 3; restarting it in ([\d.]+) s", output)
    assert delays == ["0.1", "0.2", "0.4"]
    assert ("process 'relay' exited with code 3: 4 failures within 60 s, more than the 3 "
            "allowed; stopping everything") in output
    assert_all_gone(pids + [int(p) for p in re.findall(r"relay +\| pid (\d+)", output)])


def test_a_child_whose_heartbeat_stops_is_killed_and_restarted():
    supervisor = start_supervisor({"worker": SLEEPER, "api": SLEEPER}, beating=("worker",))
    pids = read_named_pids(supervisor, 2)
    worker, api = pids["worker"], pids["api"]

    os.kill(worker, signal.SIGSTOP)
    new_worker = read_named_pids(supervisor, 1)["worker"]
    code, output = stop(supervisor)

    assert new_worker != worker
    assert "process 'worker' sent no heartbeat (hung or frozen); killed it; restarting" in output
    assert code == 0
    assert_all_gone([worker, new_worker, api])


def test_killing_the_supervisor_outright_takes_every_child_with_it():
    supervisor = start_supervisor({"api": SLEEPER, "worker": FORKING_SLEEPER,
                                   "stubborn": IGNORES_SIGTERM})
    read_pids(supervisor, 4)
    children = [child.pid for child in psutil.Process(supervisor.pid).children()]

    supervisor.kill()
    supervisor.wait()

    # The kernel kills each child (a forked grandchild goes only when its own parent asked for
    # that too, as Celery's pool does, or when the next `clinic run` clears the leftovers).
    assert len(children) == 3
    assert_all_gone(children)


def test_output_lines_carry_the_process_name_padded_to_the_longest():
    supervisor = start_supervisor({"api": SLEEPER, "scheduler": SLEEPER})
    read_pids(supervisor, 2)

    _, output = stop(supervisor)

    assert re.search(r"^clinic    \| stopping$", output, re.MULTILINE)

