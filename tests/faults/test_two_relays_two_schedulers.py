"""Fault 5: two outbox relays and two schedulers run at once (a deploy overlap, a second
instance by mistake). No outbox message is published twice (rows are claimed with SKIP
LOCKED), and no reminder is sent twice (each follow-up is claimed under a lock)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace

import pytest
import redis
from sqlalchemy import text

from clinic_cli.processes import system_processes
from tests.faults.support import Faults, report, system_env
from tests.fixtures.smtp import free_port

pytestmark = pytest.mark.faults
CASES = 100
DAYS_AHEAD = str(60 * 86400)
# Reminders due on the notify clock (60 days ahead; a day's margin) and not yet sent.
DUE_UNSENT = ("SELECT count(*) FROM follow_ups WHERE status = 'scheduled' "
              "AND next_attempt_at < now() + interval '59 days'")


def test_two_relays_and_two_schedulers_publish_and_send_nothing_twice(
        database_url, redis_url, engine, tmp_path, smtp_sink):
    env = system_env(database_url, redis_url, tmp_path / "data", SMTP_HOST=smtp_sink.host,
                     SMTP_PORT=str(smtp_sink.port))
    (tmp_path / "data2").mkdir()
    env2 = {**env, "CLINIC_DATA_DIR": str(tmp_path / "data2")}  # its own beat schedule file
    twins = {s.name: s for s in system_processes(env2, api_port=free_port())}
    extra = [replace(twins["relay"], name="relay2"), replace(twins["scheduler"], name="scheduler2")]
    faults = Faults.start(tmp_path, env, engine, ("api", "relay", "relay2"), extra)
    client = redis.Redis.from_url(redis_url)
    try:
        patient = faults.new_patient()
        faults.submit_many(CASES, patient)
        faults.system.wait_for(lambda: _count(engine, "SELECT count(*) FROM outbox_messages "
                                                      "WHERE published_at IS NULL") == 0,
                               60, "the relays to publish everything")
        queued = Counter(json.loads(raw)["headers"]["id"] for raw in client.lrange("triage", 0, -1))
        published_twice = sum(1 for n in queued.values() if n > 1)
        published = len(queued)

        faults.system.start("triage")
        for name in ("notify", "scheduler", "scheduler2"):
            faults.system.start(name, CLINIC_CLOCK_OFFSET_SECONDS=DAYS_AHEAD)
        faults.wait_all_routed(timeout=90)
        faults.system.wait_for(lambda: _count(engine, DUE_UNSENT) == 0
                               and _count(engine, "SELECT count(*) FROM follow_ups") > 0,
                               120, "every reminder to be dispatched")
        sent = _count(engine, "SELECT count(*) FROM deliveries WHERE status = 'sent'")
        sent_twice = _count(engine, "SELECT count(*) FROM (SELECT follow_up_id FROM deliveries "
                                    "WHERE status = 'sent' GROUP BY follow_up_id, channel "
                                    "HAVING count(*) > 1) t")
        emails = len(smtp_sink.messages)
        per_case = faults.decisions_per_case()
    finally:
        client.close()
        faults.close()

    duplicated = published_twice + sent_twice + max(0, emails - sent) + sum(
        1 for n in per_case.values() if n > 1)
    lost = (CASES - published) + sum(1 for n in per_case.values() if n == 0)
    report("two_relays_two_schedulers", trials=CASES, acknowledged=len(faults.submitted),
           lost=lost, duplicated=duplicated, recovered=CASES - lost, max_recovery_s=0.0)
    assert published == CASES and published_twice == 0
    assert sent > 0 and sent_twice == 0 and emails == sent
    assert all(n == 1 for n in per_case.values())


def _count(engine, sql: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()
