"""Fault 4: the same triage, "case routed" and dispatch messages are delivered twice (same
message id, as a broker redelivery or a relay republishing after a failed commit would).
One decision per case, one set of follow-ups per decision, one delivery per follow-up."""

from __future__ import annotations

import time

import pytest
import redis
from sqlalchemy import text

from services.notify.worker import DISPATCH_TASK
from shared.messaging import make_celery
from shared.settings import Settings
from tests.faults.support import Faults, report, system_env

pytestmark = pytest.mark.faults
CASES = 20
DAYS_AHEAD = str(60 * 86400)  # the notify worker's clock: every planned reminder is due


def test_messages_delivered_twice_take_effect_once(database_url, redis_url, engine, tmp_path,
                                                   smtp_sink):
    env = system_env(database_url, redis_url, tmp_path / "data", SMTP_HOST=smtp_sink.host,
                     SMTP_PORT=str(smtp_sink.port))
    faults = Faults.start(tmp_path, env, engine, ("api", "relay", "triage"))
    producer = make_celery("faults-producer", Settings(REDIS_URL=redis_url))
    try:
        faults.system.start("notify", CLINIC_CLOCK_OFFSET_SECONDS=DAYS_AHEAD)
        patient = faults.new_patient()
        faults.submit_many(CASES, patient)
        faults.wait_all_routed(timeout=60)
        faults.system.wait_for(lambda: _count(engine, "SELECT count(DISTINCT decision_id) "
                                                      "FROM follow_ups") >= CASES,
                               60, "follow-ups for every decision")
        follow_ups_before = _count(engine, "SELECT count(*) FROM follow_ups")
        with engine.connect() as conn:
            messages = conn.execute(text(
                "SELECT message_id::text, task_name, queue, payload FROM outbox_messages")).all()
        for _ in range(2):  # each message twice more, same id: a redelivery as the broker makes
            for m in messages:
                producer.send_task(m.task_name, kwargs=m.payload, queue=m.queue,
                                   task_id=m.message_id)
        for _ in range(2):
            producer.send_task(DISPATCH_TASK, queue="notify", task_id="dispatch-twice")
        _wait_quiet(faults, redis_url, engine)
        per_case = faults.decisions_per_case()
        follow_ups_after = _count(engine, "SELECT count(*) FROM follow_ups")
        sent = _count(engine, "SELECT count(*) FROM deliveries WHERE status = 'sent'")
        twice_sent = _count(engine, "SELECT count(*) FROM (SELECT follow_up_id FROM deliveries "
                                    "WHERE status = 'sent' GROUP BY follow_up_id, channel "
                                    "HAVING count(*) > 1) t")
        emails = len(smtp_sink.messages)
    finally:
        producer.close()
        faults.close()

    duplicated = (sum(1 for n in per_case.values() if n > 1) + twice_sent
                  + max(0, follow_ups_after - follow_ups_before) + max(0, emails - sent))
    lost = sum(1 for n in per_case.values() if n == 0) + (1 if sent == 0 else 0)
    report("messages_delivered_twice", trials=2 * len(messages) + 2,
           acknowledged=2 * len(messages) + 2, lost=lost, duplicated=duplicated,
           recovered=2 * len(messages) + 2 - lost, max_recovery_s=0.0)
    assert all(n == 1 for n in per_case.values()) and len(per_case) == CASES
    assert follow_ups_after == follow_ups_before
    assert sent > 0 and twice_sent == 0 and emails == sent


def _count(engine, sql: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def _wait_quiet(faults: Faults, redis_url: str, engine, settle_s: float = 3.0) -> None:
    """Until both queues are empty, nothing is unacknowledged, and deliveries stop changing."""
    client = redis.Redis.from_url(redis_url)
    last, stable_since = None, time.time()
    deadline = time.time() + 90
    try:
        while time.time() < deadline:
            busy = sum(client.llen(q) for q in ("triage", "notify")) + sum(
                client.hlen(k) for k in (b"unacked:triage", b"unacked:notify"))
            now = (busy, _count(engine, "SELECT count(*) FROM deliveries"),
                   _count(engine, "SELECT count(*) FROM triage_decisions"))
            if now != last:
                last, stable_since = now, time.time()
            elif busy == 0 and time.time() - stable_since > settle_s:
                return
            time.sleep(0.3)
    finally:
        client.close()
