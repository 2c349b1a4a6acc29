"""Fault 1: the triage worker is SIGKILLed, whole and one pool child at a time, again and
again while 300 cases are submitted. Every case ends routed, by exactly one engine decision
(one per TriageCase message: the unique request_id; here one message per case)."""

from __future__ import annotations

import threading
import time

import psutil
import pytest

from tests.faults.support import (
    Faults,
    kill_group,
    recovery_after,
    restarted_when_it_exits,
    system_env,
)

pytestmark = pytest.mark.faults
CASES = 300


def test_killing_the_triage_worker_repeatedly_loses_and_repeats_no_case(
        database_url, redis_url, engine, tmp_path):
    # The sweeper runs as in production: a message whose deliveries all died with their
    # worker is dead-lettered after five, and the sweeper asks for that case again.
    env = system_env(database_url, redis_url, tmp_path / "data",
                     CLINIC_TRIAGE_SWEEP_AFTER_SECONDS="30", CLINIC_SWEEP_INTERVAL_SECONDS="5")
    faults = Faults.start(tmp_path, env, engine, ("api", "relay", "triage", "notify",
                                                  "scheduler"))
    try:
        patient = faults.new_patient()
        submitting = threading.Thread(target=faults.submit_many,
                                      args=(CASES, patient, 0.02), daemon=True)
        submitting.start()
        kills: list[float] = []
        whole = False
        while submitting.is_alive() or len(kills) < 4:
            time.sleep(1.5)
            worker = faults.system.processes["triage"]
            if whole:
                kill_group(worker)
                faults.system.start("triage")
            else:
                try:
                    children = psutil.Process(worker.pid).children()
                except psutil.NoSuchProcess:
                    children = []
                if children:
                    children[0].kill()
            kills.append(time.time())
            whole = not whole
        submitting.join()
        # A child killed while the pool was starting takes the worker down with it ("could
        # not start worker processes"); a process supervisor restarts it, as this one does.
        with restarted_when_it_exits(faults, "triage"):
            faults.wait_all_routed(timeout=150)
        figures = faults.case_figures("triage_worker_sigkill", CASES,
                                      recovery_after(faults, kills))
    finally:
        faults.close()

    assert figures["acknowledged"] == CASES
    assert figures["lost"] == 0 and figures["duplicated"] == 0
