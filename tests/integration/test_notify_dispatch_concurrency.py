"""Several dispatchers at once: every due reminder is delivered exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from services.notify.dispatcher import dispatch_due, open_channels
from services.notify.service import NotifyConfig, Outcome
from shared.db import make_sync_engine
from shared.patient_links import read_link
from tests.integration.notify_support import add_due_follow_ups, add_patient, sms_provider
from tests.integration.test_notify_delivery import links

pytestmark = pytest.mark.integration

NOON = datetime(2026, 6, 1, 11, tzinfo=UTC)
REMINDERS = 500


def follow_up_in(body: str, secret_key: str):
    return read_link(secret_key, links(body)["/check-in"], now=NOON).follow_up_id


def test_two_dispatchers_over_500_due_reminders_deliver_each_exactly_once(
    engine, settings, smtp_sink, clean_database
):
    with sms_provider() as provider:
        config = settings.model_copy(update={
            "smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port,
            "sms_endpoint": provider.url})
        patient = add_patient(engine, email="many@example.com", phone="+15550100100")
        expected = {f.id for f in add_due_follow_ups(engine, patient, NOON, count=REMINDERS)}
        results: list[Counter] = []
        start = threading.Barrier(2)

        def dispatcher() -> None:
            own_engine = make_sync_engine(config)  # its own connections, like another process
            try:
                start.wait()
                with open_channels(config) as channels:
                    # As long as it takes (a loaded machine): the subject is exactly-once.
                    results.append(dispatch_due(own_engine, channels,
                                                NotifyConfig.from_settings(config), NOON,
                                                REMINDERS, claiming_for_s=240))
            finally:
                own_engine.dispose()

        threads = [threading.Thread(target=dispatcher) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=240)
        sms_bodies = [b["body"] for b in provider.delivered()]

    assert sum(r[Outcome.SENT] for r in results) == REMINDERS
    assert all(r[Outcome.SENT] > 0 for r in results), "both dispatchers did some of the work"
    emailed = [follow_up_in(m.get_payload(decode=True).decode(), config.secret_key)
               for m in smtp_sink.messages]
    texted = [follow_up_in(body, config.secret_key) for body in sms_bodies]
    for received in (emailed, texted):
        assert len(received) == REMINDERS and set(received) == expected
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT channel, count(*) AS n, count(DISTINCT follow_up_id) AS distinct_n "
            "FROM deliveries WHERE status = 'sent' GROUP BY channel ORDER BY channel")).all()
        statuses = conn.execute(text("SELECT DISTINCT status FROM follow_ups")).scalars().all()
    assert [(r.channel, r.n, r.distinct_n) for r in rows] == [
        ("email", REMINDERS, REMINDERS), ("sms", REMINDERS, REMINDERS)]
    assert statuses == ["sent"]
