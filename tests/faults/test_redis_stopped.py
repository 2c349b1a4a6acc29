"""Fault 2: Redis stops for ten seconds during a stream of submissions. The API answers every
request without a server error (submissions are safe in PostgreSQL), and every case is routed
once Redis is back. Uses a private Redis this test may stop, whatever TEST_REDIS_URL says."""

from __future__ import annotations

import threading
import time

import pytest

from clinic_cli.embedded import start_redis
from tests.faults.support import Faults, recovery_after, restarted_when_it_exits, system_env

pytestmark = pytest.mark.faults
OUTAGE_S = 10


def test_submissions_survive_a_redis_outage_and_are_routed_when_it_returns(
        database_url, engine, tmp_path):
    redis = start_redis(tmp_path / "redis")
    port = redis.port
    faults = None
    try:
        faults = Faults.start(tmp_path, system_env(database_url, redis.url, tmp_path / "data"),
                              engine, ("api", "relay", "triage"))
        patient = faults.new_patient()
        stream = threading.Thread(target=faults.submit_many, args=(150, patient, 0.12),
                                  daemon=True)
        stream.start()
        time.sleep(3)
        redis.stop()
        time.sleep(OUTAGE_S)
        redis = start_redis(tmp_path / "redis", port=port)
        back = time.time()
        stream.join()
        # Celery's worker can die when the broker drops its pub/sub connection (a kombu bug,
        # seen in CI): the process manager restarts it, and nothing submitted is lost.
        with restarted_when_it_exits(faults, "triage"):
            faults.wait_all_routed(timeout=120)
        figures = faults.case_figures("redis_stopped_10s", 150, recovery_after(faults, [back]))
        server_errors = faults.server_errors + faults.transport_errors
    finally:
        if faults:
            faults.close()
        redis.stop()

    assert server_errors == 0
    assert figures["acknowledged"] == 150
    assert figures["lost"] == 0 and figures["duplicated"] == 0
