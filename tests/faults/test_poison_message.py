"""Fault 6: one message kills its worker process on every delivery. The worker puts it back
each time (late acknowledgement, reject on worker lost); the fifth redelivery is
dead-lettered instead of run, so the message cannot take the worker down for ever, and the
count survives the crashes because it lives in Redis."""

from __future__ import annotations

import sys
import uuid

import pytest
import redis
from sqlalchemy import text

from clinic_cli.processes import ProcessSpec
from shared.contracts import TriageCase
from shared.dead_letters import MAX_ATTEMPTS
from shared.messaging import make_celery
from shared.settings import Settings
from tests.e2e.system import RunningSystem
from tests.faults.support import system_env

pytestmark = pytest.mark.faults
WORKER = ProcessSpec(name="crashing-worker", argv=[
    sys.executable, "-m", "celery", "-A", "tests.faults.crashing_worker", "worker", "-Q",
    "triage", "-n", "crashing@%h", "--concurrency", "1", "--loglevel", "INFO"], env={})


def test_a_message_that_kills_every_worker_it_reaches_is_dead_lettered(
        database_url, redis_url, engine, tmp_path):
    message = TriageCase(message_id=uuid.uuid4(), case_id=uuid.uuid4(), reason="intake_submitted")
    publisher = make_celery("test-publisher", Settings(DATABASE_URL=database_url,
                                                       REDIS_URL=redis_url))
    publisher.send_task(message.task_name, kwargs=message.model_dump(mode="json"),
                        task_id=str(message.message_id), queue=message.queue)
    env = system_env(database_url, redis_url, tmp_path / "data")
    (logs := tmp_path / "logs").mkdir()
    system = RunningSystem([ProcessSpec(WORKER.name, WORKER.argv, env=env)], logs, None)
    try:
        system.start(WORKER.name)
        row = system.wait_for(lambda: _dead_letter(engine, message.message_id), 90,
                              "the message to be dead-lettered")
        queue_left = redis.Redis.from_url(redis_url).llen(message.queue)
        deaths = system.log_text().count("exited with 'exitcode 70'")
    finally:
        system.stop_all()

    assert row.error_type == "WorkerLost" and row.attempts == MAX_ATTEMPTS
    assert deaths == MAX_ATTEMPTS  # it ran five times, then was recorded instead of run
    assert queue_left == 0


def _dead_letter(engine, message_id: uuid.UUID):
    with engine.connect() as conn:
        return conn.execute(text("SELECT error_type, attempts FROM dead_letters "
                                 "WHERE message_id = :id"), {"id": message_id}).first()
