"""Fault: a "case routed" task hangs past its hard time limit and Celery kills its pool
process. The message goes back on the queue, as for a worker that died (it used to be
acknowledged, and the case's follow-ups were never scheduled), and the redelivery schedules
them; nothing is dead-lettered."""

from __future__ import annotations

import sys
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from clinic_cli.processes import ProcessSpec
from shared.clock import utcnow
from shared.contracts import CaseRouted
from shared.messaging import make_celery
from shared.settings import Settings
from tests.e2e.system import RunningSystem
from tests.faults.hanging_limits import HARD
from tests.faults.support import report, system_env
from tests.integration.notify_support import add_decision, add_patient

pytestmark = pytest.mark.faults
PLAN = [{"after_days": 2, "purpose": "check in"}, {"after_days": 7, "purpose": "check in"}]


def test_a_case_routed_task_killed_at_its_hard_time_limit_comes_back_and_schedules(
        database_url, redis_url, engine, clean_database, tmp_path):
    decision = add_decision(engine, add_patient(engine, email="slow@example.com"),
                            utcnow() - timedelta(minutes=1), PLAN)
    message = CaseRouted(message_id=uuid.uuid4(), case_id=decision.case_id,
                         decision_id=decision.id)
    env = system_env(database_url, redis_url, tmp_path / "data")
    (logs := tmp_path / "logs").mkdir()
    worker = ProcessSpec("hanging-notify", [
        sys.executable, "-m", "celery", "-A", "tests.faults.hanging_notify_worker", "worker",
        "-Q", "notify", "-n", "notify@%h", "--concurrency", "1", "--loglevel", "INFO"], env=env)
    system = RunningSystem([worker], logs, None)
    publisher = make_celery("test-publisher", Settings(DATABASE_URL=database_url,
                                                       REDIS_URL=redis_url))
    try:
        system.start(worker.name)
        published = time.monotonic()
        publisher.send_task(message.task_name, kwargs=message.model_dump(mode="json"),
                            task_id=str(message.message_id), queue=message.queue)
        system.wait_for(lambda: _follow_ups(engine, decision.id) == len(PLAN), 60,
                        "the follow-ups to be scheduled")
        took = time.monotonic() - published
        log = system.log_text()
    finally:
        system.stop_all()
        publisher.close()

    report("notify_task_hard_time_limit", trials=1, acknowledged=1, lost=0, duplicated=0,
           recovered=1, max_recovery_s=took)
    assert f"Hard time limit ({HARD}s) exceeded for {message.task_name}" in log
    assert took >= HARD  # scheduled by the redelivery, after the kill
    assert _dead_letters(engine) == 0


def _follow_ups(engine, decision_id) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM follow_ups WHERE decision_id = :d"),
                            {"d": decision_id}).scalar()


def _dead_letters(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM dead_letters")).scalar()
