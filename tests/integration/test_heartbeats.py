"""Heartbeats against a real Redis and a real process: a process that beats is alive, one
frozen by SIGSTOP turns stale within a few beats and alive again when it resumes, one that
stops cleanly leaves no beat behind, and a Redis that does not answer makes nobody stale."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from shared import heartbeats
from shared.heartbeats import HeartbeatReader

pytestmark = pytest.mark.integration
INTERVAL = 0.2  # stale after 5 beats: one second

BEATING = """
import sys, time
from shared import heartbeats
heartbeats.start("relay", sys.argv[1], interval=float(sys.argv[2]))
print("beating", flush=True)
time.sleep(120)
"""


def wait_until(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def beating_process(redis_url):
    process = subprocess.Popen([sys.executable, "-c", BEATING, redis_url, str(INTERVAL)],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "beating"
    yield process
    os.kill(process.pid, signal.SIGCONT)
    process.kill()
    process.wait()


def test_a_frozen_process_turns_stale_and_alive_again_when_it_resumes(redis_url,
                                                                       beating_process):
    reader = HeartbeatReader(redis_url, interval=INTERVAL)
    pid = beating_process.pid
    wait_until(lambda: reader.alive("relay", pid), 5, "the first beat")
    assert not reader.stale("relay", pid)

    os.kill(pid, signal.SIGSTOP)
    frozen_at = time.monotonic()
    wait_until(lambda: reader.stale("relay", pid), 5, "the frozen process to turn stale")
    assert time.monotonic() - frozen_at >= reader.stale_after - INTERVAL
    assert reader.report()["relay"] == {"alive": [], "stale": [pid]}

    os.kill(pid, signal.SIGCONT)
    wait_until(lambda: reader.alive("relay", pid), 5, "the resumed process to beat again")
    assert reader.report()["relay"] == {"alive": [pid], "stale": []}
    reader.close()


def test_a_process_that_never_beat_is_stale_and_one_that_stopped_cleanly_leaves_no_beat(
        redis_url):
    reader = HeartbeatReader(redis_url, interval=INTERVAL)
    assert reader.stale("triage", 999_999) and not reader.alive("triage", 999_999)

    heartbeat = heartbeats.start("notify", redis_url, interval=INTERVAL)
    wait_until(lambda: reader.alive("notify", os.getpid()), 5, "the first beat")
    heartbeat.stop()

    assert reader.age("notify", os.getpid()) is None
    assert reader.report()["notify"] == {"alive": [], "stale": []}
    reader.close()


def test_without_redis_nobody_is_called_stale():
    reader = HeartbeatReader("redis://127.0.0.1:1/0", interval=INTERVAL)  # nothing listens

    assert reader.stale("triage", os.getpid()) is False
    with pytest.raises(heartbeats.HeartbeatsUnavailable):
        reader.report()
