"""The dispatcher records each follow-up in its own transaction and keeps one SMTP connection
for a whole dispatch: what a relay that drops the connection, says "closing", refuses one
recipient or goes away mid-dispatch does, and what an unexpected error or a lost database
does (at most the reminder in flight is sent twice)."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from services.notify.channels.email import EmailChannel
from services.notify.dispatcher import CLAIM_BATCH, dispatch_due, open_channels
from services.notify.service import NotifyConfig, Outcome
from tests.integration.notify_support import add_due_follow_ups, add_patient, smtp_relay

pytestmark = pytest.mark.integration

NOON = datetime(2026, 6, 1, 11, tzinfo=UTC)  # 12:00 in London: outside quiet hours


@pytest.fixture
def email_only(settings, clean_database):
    """Settings that send email to the relay a test passes in; no SMS provider."""
    def to(relay):
        return settings.model_copy(update={"smtp_host": relay.host, "smtp_port": relay.port,
                                           "sms_endpoint": None})
    return to


def dispatch(engine, settings, limit: int = 1000) -> Counter:
    with open_channels(settings) as channels:
        return dispatch_due(engine, channels, NotifyConfig.from_settings(settings), NOON, limit)


def due_for(engine, address: str, count: int) -> set:
    patient = add_patient(engine, email=address)
    return {f.id for f in add_due_follow_ups(engine, patient, NOON, count=count)}


def message_ids(relay) -> list[str]:
    return [m["Message-ID"] for m in relay.messages]


def follow_up_statuses(engine) -> Counter:
    with engine.connect() as conn:
        return Counter(dict(conn.execute(text(
            "SELECT status, count(*) FROM follow_ups GROUP BY status")).all()))


def sent_deliveries(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM deliveries WHERE status = 'sent'")).scalar()


def test_one_connection_carries_every_reminder_of_a_dispatch_across_batches(
    engine, email_only
):
    with smtp_relay() as relay:
        due_for(engine, "many@example.com", CLAIM_BATCH + 5)

        assert dispatch(engine, email_only(relay)) == {Outcome.SENT: CLAIM_BATCH + 5}

    assert relay.connections == 1
    assert len(set(message_ids(relay))) == len(relay.messages) == CLAIM_BATCH + 5


def test_the_limit_holds_across_batches(engine, email_only):
    with smtp_relay() as relay:
        due_for(engine, "limit@example.com", CLAIM_BATCH + 5)

        assert dispatch(engine, email_only(relay), limit=CLAIM_BATCH + 2) == {
            Outcome.SENT: CLAIM_BATCH + 2}

    assert follow_up_statuses(engine) == {"sent": CLAIM_BATCH + 2, "scheduled": 3}


def test_a_relay_dropping_the_connection_mid_batch_is_reconnected_and_each_reminder_sent_once(
    engine, email_only
):
    with smtp_relay(drop_after=3) as relay:
        expected = due_for(engine, "dropped@example.com", 10)

        assert dispatch(engine, email_only(relay)) == {Outcome.SENT: 10}

    assert relay.connections == 4  # 3 + 3 + 3 + 1
    assert sorted(message_ids(relay)) == sorted(f"<{i}.email@clinic.local>" for i in expected)
    assert sent_deliveries(engine) == 10


def test_a_relay_saying_closing_mid_batch_is_reconnected_and_each_reminder_sent_once(
    engine, email_only
):
    with smtp_relay(drop_after=3, busy_reply="421 4.7.0 Too many messages, closing") as relay:
        due_for(engine, "busy@example.com", 10)

        assert dispatch(engine, email_only(relay)) == {Outcome.SENT: 10}

    assert relay.connections == 4
    assert len(set(message_ids(relay))) == len(relay.messages) == 10


def test_a_relay_going_away_mid_batch_keeps_what_was_sent_and_retries_the_rest(
    engine, email_only
):
    with smtp_relay(stop_after=3) as relay:
        due_for(engine, "gone@example.com", 8)

        assert dispatch(engine, email_only(relay)) == {Outcome.SENT: 3, Outcome.RETRY: 5}

    assert len(relay.messages) == 3
    assert follow_up_statuses(engine) == {"sent": 3, "scheduled": 5}
    with engine.connect() as conn:
        failed = conn.execute(text(
            "SELECT d.error, f.next_attempt_at > :now AS later FROM deliveries d "
            "JOIN follow_ups f ON f.id = d.follow_up_id WHERE d.status = 'failed'"),
            {"now": NOON}).all()
    assert [(row.error, row.later) for row in failed] == [("ConnectionRefusedError", True)] * 5


def test_a_recipient_refused_in_a_batch_fails_alone_and_the_others_are_sent(engine, email_only):
    refuse = {"nobody@example.com": "550 5.1.1 No such user",
              "full@example.com": "452 4.2.2 Mailbox full"}
    with smtp_relay(refuse=refuse) as relay:
        due_for(engine, "fine@example.com", 3)
        due_for(engine, "nobody@example.com", 1)
        due_for(engine, "full@example.com", 1)
        due_for(engine, "also-fine@example.com", 3)

        outcomes = dispatch(engine, email_only(relay))

    assert outcomes == {Outcome.SENT: 6, Outcome.FAILED: 1, Outcome.RETRY: 1}
    assert {m["To"] for m in relay.messages} == {"fine@example.com", "also-fine@example.com"}
    with engine.connect() as conn:
        refused = conn.execute(text(
            "SELECT status, error FROM deliveries WHERE status <> 'sent' ORDER BY status")).all()
    assert [tuple(row) for row in refused] == [("failed", "recipient refused 452"),
                                               ("rejected", "recipient refused 550")]


class FailsOnce:
    """An email channel whose `fail_on`-th send raises something no channel promises."""

    def __init__(self, channel: EmailChannel, fail_on: int, error: Exception):
        self.channel, self.fail_on, self.error, self.sends = channel, fail_on, error, 0
        self.name = channel.name

    def send(self, to, message, idempotency_key) -> None:
        self.sends += 1
        if self.sends == self.fail_on:
            raise self.error
        self.channel.send(to, message, idempotency_key)

    def close(self) -> None:
        self.channel.close()


def test_an_unexpected_error_mid_batch_keeps_the_follow_ups_before_it_and_leaves_the_rest_due(
    engine, email_only
):
    with smtp_relay() as relay:
        expected = due_for(engine, "bug@example.com", 6)
        settings = email_only(relay)
        config = NotifyConfig.from_settings(settings)
        failing = FailsOnce(EmailChannel(settings), fail_on=3, error=RuntimeError("a bug"))

        with pytest.raises(RuntimeError, match="a bug"):
            dispatch_due(engine, {"email": failing}, config, NOON, 1000)
        failing.close()
        assert follow_up_statuses(engine) == {"sent": 2, "scheduled": 4}
        with engine.connect() as conn:
            assert conn.execute(text(
                "SELECT count(*) FROM follow_ups WHERE status = 'scheduled' AND attempts = 0"
            )).scalar() == 4  # the one in flight is left as it was, like those after it
            assert conn.execute(text(
                "SELECT count(*) FROM audit_events WHERE resource_id = ANY(:ids)"),
                {"ids": [str(i) for i in expected]}).scalar() == 2

        assert dispatch(engine, settings) == {Outcome.SENT: 4}

    assert sorted(message_ids(relay)) == sorted(f"<{i}.email@clinic.local>" for i in expected)


def test_a_dispatcher_losing_its_database_mid_dispatch_sends_one_reminder_again_and_no_more(
    engine, email_only
):
    """The window the dispatcher's docstring owns up to: each send is recorded in its own
    transaction, so only the reminder in flight when the database went is sent again."""
    with smtp_relay() as relay:
        expected = due_for(engine, "lost@example.com", 25)
        settings = email_only(relay)

        class LosesTheDatabase(FailsOnce):
            def send(self, to, message, idempotency_key) -> None:
                self.sends += 1
                if self.sends == self.fail_on:
                    with engine.connect() as conn:  # the dispatcher's session: idle in its claim
                        conn.execute(text(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                            "AND state = 'idle in transaction'"))
                self.channel.send(to, message, idempotency_key)

        losing = LosesTheDatabase(EmailChannel(settings), fail_on=13, error=None)
        with pytest.raises(Exception):  # noqa: B017 - whichever error the driver raises
            dispatch_due(engine, {"email": losing}, NotifyConfig.from_settings(settings),
                         NOON, 1000)
        losing.close()
        assert follow_up_statuses(engine) == {"sent": 12, "scheduled": 13}

        assert dispatch(engine, settings) == {Outcome.SENT: 13}

    sent = Counter(message_ids(relay))
    assert set(sent) == {f"<{i}.email@clinic.local>" for i in expected}
    assert sum(n - 1 for n in sent.values()) == 1  # the one in flight, sent twice
    assert sent_deliveries(engine) == 25


def test_a_dispatch_stops_claiming_after_its_time_and_the_next_one_sends_the_rest(
    engine, email_only
):
    """A dispatch must end inside its task's time limit, which keeps notify's visibility timeout
    (and the wait for an alert a killed worker held) short: a slow relay leaves reminders for
    the next dispatch rather than running over."""

    class Slow(FailsOnce):
        def send(self, to, message, idempotency_key) -> None:
            time.sleep(0.3)  # the relay's pace, not a wait for a condition
            self.channel.send(to, message, idempotency_key)

    with smtp_relay() as relay:
        expected = due_for(engine, "slow@example.com", 10)
        settings = email_only(relay)
        config = NotifyConfig.from_settings(settings)
        slow = Slow(EmailChannel(settings), fail_on=0, error=None)

        first = dispatch_due(engine, {"email": slow}, config, NOON, 1000, claiming_for_s=1.0)
        assert 1 <= first[Outcome.SENT] <= 5
        assert follow_up_statuses(engine) == {"sent": first[Outcome.SENT],
                                              "scheduled": 10 - first[Outcome.SENT]}
        rest: Counter = Counter()
        for _ in range(10):  # each dispatch sends at least the one it claims first
            if first[Outcome.SENT] + rest[Outcome.SENT] == 10:
                break
            rest += dispatch_due(engine, {"email": slow}, config, NOON, 1000,
                                 claiming_for_s=1.0)
        slow.close()

    assert rest == {Outcome.SENT: 10 - first[Outcome.SENT]}
    assert sorted(message_ids(relay)) == sorted(f"<{i}.email@clinic.local>" for i in expected)
