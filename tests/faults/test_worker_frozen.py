"""Fault: a triage worker freezes (SIGSTOP) holding the message it took. Readiness reports its
heartbeat stale, and the message comes back to another triage worker within the visibility
timeout (shared/messaging.py), not minutes later through the sweeper (which stays off here)."""

from __future__ import annotations

import os
import signal
import sys
import time

import psutil
import pytest
import redis

from clinic_cli.processes import ProcessSpec
from shared import heartbeats
from shared.messaging import VISIBILITY_TIMEOUT_SECONDS
from tests.faults.support import Faults, system_env

pytestmark = pytest.mark.faults
# Redis hands the message back once it is older than the visibility timeout, at the next
# sweep of a live worker (every 5 s), which then takes it from the queue.
RESTORE_INTERVAL_S, SLACK_S = 5, 10


def test_a_message_a_frozen_worker_took_comes_back_within_the_visibility_timeout(
        database_url, redis_url, engine, clean_database, tmp_path):
    env = system_env(database_url, _own_database(redis_url), tmp_path / "data")
    freezing = ProcessSpec("freezing-triage", [
        sys.executable, "-m", "celery", "-A", "tests.faults.freezing_worker", "worker", "-Q",
        "triage", "-n", "frozen@%h", "--concurrency", "1", "--loglevel", "INFO"], env=env)
    faults = Faults.start(tmp_path, env, engine, ("api", "relay"), extra_specs=[freezing])
    frozen = None
    try:
        faults.system.start(freezing.name)
        frozen = faults.system.processes[freezing.name]
        faults.system.wait_for(lambda: _beating(faults, frozen.pid), 60,
                               "the freezing worker to beat")
        faults.submit(faults.new_patient())
        faults.system.wait_for(lambda: psutil.Process(frozen.pid).status() ==
                               psutil.STATUS_STOPPED, 60, "the worker to freeze on the message")
        frozen_at = time.time()
        faults.system.start("triage")
        faults.system.wait_for(lambda: faults.routed_count() == 1,
                               VISIBILITY_TIMEOUT_SECONDS["triage"] + RESTORE_INTERVAL_S
                               + SLACK_S + 30, "the case to be routed by the other worker")
        routed_after = faults.latest_decision_time() - frozen_at
        stale_after = heartbeats.INTERVAL_SECONDS * heartbeats.STALE_AFTER_BEATS
        faults.system.wait_for(lambda: frozen.pid in _processes(faults)["triage"]["stale"],
                               stale_after + 5, "readiness to report the frozen worker")
        ready = faults.system.api.get("/health/ready")
        figures = faults.case_figures("triage_worker_sigstop", 1, routed_after)
    finally:
        if frozen is not None and frozen.poll() is None:
            for process in [psutil.Process(frozen.pid), *psutil.Process(frozen.pid).children()]:
                os.kill(process.pid, signal.SIGCONT)
        faults.close()

    assert figures["lost"] == 0 and figures["duplicated"] == 0
    assert routed_after <= VISIBILITY_TIMEOUT_SECONDS["triage"] + RESTORE_INTERVAL_S + SLACK_S
    assert ready.status_code == 200  # a frozen worker does not take the API out of service


def _own_database(redis_url: str) -> str:
    """A Redis database of this test's own: a triage worker of a test running beside this one
    on the shared database would take the returned message (and find no such case)."""
    url = redis_url.rsplit("/", 1)[0] + "/11"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


def _processes(faults) -> dict:
    return faults.system.api.get("/health/ready").json()["processes"]


def _beating(faults, pid: int) -> bool:
    return pid in _processes(faults)["triage"]["alive"]
