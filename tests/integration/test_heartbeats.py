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
import redis

from shared import heartbeats
from shared.heartbeats import HeartbeatReader

pytestmark = pytest.mark.integration


@pytest.fixture
def own_redis_url(redis_url):
    """A Redis database of these tests' own: a test session running beside this one flushes
    the shared one, which would wipe a beat mid-test."""
    url = redis_url.rsplit("/", 1)[0] + "/12"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url
INTERVAL = 0.5  # stale after 5 beats: 2.5 s (a loaded machine delays a beat by a second)

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
def beating_process(own_redis_url):
    process = subprocess.Popen([sys.executable, "-c", BEATING, own_redis_url, str(INTERVAL)],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "beating"
    yield process
    os.kill(process.pid, signal.SIGCONT)
    process.kill()
    process.wait()


def test_a_frozen_process_turns_stale_and_alive_again_when_it_resumes(own_redis_url,
                                                                       beating_process):
    reader = HeartbeatReader(own_redis_url, interval=INTERVAL)
    pid = beating_process.pid
    wait_until(lambda: reader.alive("relay", pid), 5, "the first beat")
    assert not reader.stale("relay", pid)

    os.kill(pid, signal.SIGSTOP)
    wait_until(lambda: reader.stale("relay", pid), 10, "the frozen process to turn stale")
    assert reader.age("relay", pid) > reader.stale_after  # a beat it sent, grown old
    assert reader.report()["relay"] == {"alive": [], "stale": [pid]}

    os.kill(pid, signal.SIGCONT)
    wait_until(lambda: reader.alive("relay", pid), 10, "the resumed process to beat again")
    assert reader.report()["relay"] == {"alive": [pid], "stale": []}
    reader.close()


def test_a_process_that_never_beat_is_stale_and_one_that_stopped_cleanly_leaves_no_beat(
        own_redis_url):
    reader = HeartbeatReader(own_redis_url, interval=INTERVAL)
    assert reader.stale("triage", 999_999) and not reader.alive("triage", 999_999)

    heartbeat = heartbeats.start("notify", own_redis_url, interval=INTERVAL)
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
