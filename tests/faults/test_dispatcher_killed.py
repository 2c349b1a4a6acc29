"""Fault: the notify worker is SIGKILLed in the middle of a dispatch, sending reminders to a real
SMTP server. Each send is recorded in its own transaction, so the restarted worker sends again
at most the one reminder that was in flight when the worker died (claims were 20 to a
transaction, and a kill sent up to 20 twice). Every reminder still goes out."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

from shared.clock import utcnow
from tests.faults.support import Faults, kill_group, report, system_env
from tests.fixtures.smtp import SmtpSink, free_port
from tests.integration.notify_support import add_due_follow_ups, add_patient

pytestmark = pytest.mark.faults
REMINDERS = 60
KILL_AFTER = 12


class SlowSink(SmtpSink):
    """A mail server that takes a moment over each message, as a real relay does, so the kill
    lands in the middle of a dispatch rather than after it."""

    async def handle_DATA(self, server, session, envelope) -> str:
        await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


def test_a_dispatcher_killed_mid_dispatch_sends_at_most_one_reminder_twice(
        database_url, redis_url, engine, clean_database, tmp_path):
    sink = SlowSink(host="127.0.0.1", port=free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    env = system_env(database_url, redis_url, tmp_path / "data", SMTP_HOST=sink.host,
                     SMTP_PORT=str(sink.port))
    patient = add_patient(engine, email="many@example.com")
    expected = {f"<{f.id}.email@clinic.local>"
                for f in add_due_follow_ups(engine, patient, utcnow() - timedelta(minutes=1),
                                            count=REMINDERS)}
    faults = Faults.start(tmp_path, env, engine, ("notify", "scheduler"))
    try:
        faults.system.wait_for(lambda: len(sink.messages) >= KILL_AFTER, 60,
                               f"{KILL_AFTER} reminders to be sent")
        kill_group(faults.system.processes["notify"])
        killed_at, sent_before_kill = utcnow(), len(sink.messages)
        faults.system.start("notify")
        faults.system.wait_for(lambda: _scheduled(engine) == 0, 90,
                               "every reminder to be sent")
        recovered = (utcnow() - killed_at).total_seconds()
    finally:
        faults.close()
        controller.stop()

    sent = Counter(m["Message-ID"] for m in sink.messages)
    duplicates = sum(n - 1 for n in sent.values())
    report("notify_dispatcher_sigkill", trials=REMINDERS, acknowledged=REMINDERS,
           lost=len(expected - set(sent)), duplicated=duplicates, recovered=len(set(sent)),
           max_recovery_s=recovered)
    assert sent_before_kill < REMINDERS  # the kill came mid-dispatch
    assert set(sent) == expected
    assert duplicates <= 1
    assert _sent_deliveries(engine) == REMINDERS


def _scheduled(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT count(*) FROM follow_ups WHERE status = 'scheduled'")).scalar()


def _sent_deliveries(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM deliveries WHERE status = 'sent'")).scalar()
