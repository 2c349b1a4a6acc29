"""Retention: the sweep deletes published outbox rows, settled deliveries and ended staff
sessions once past their periods, a bounded batch at a time, skipping rows another transaction
holds. The clock is the `now` each purge is given.

purge_expired works inside its caller's transaction, so most tests run it on db_session's
connection and everything is rolled back afterwards; the helpers from notify_support and
auth_helpers write through that same connection (they accept any bind). Two tests keep
clean_database: skipping rows another transaction holds needs a second connection, and the
scheduler's sweep opens its own from an Engine; they take leaves_no_rows too, so what they commit
is gone before the next test, whatever the order."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, text

from services.notify.sweep import keep_records
from shared.retention import purge_expired
from tests.integration.auth_helpers import make_user
from tests.integration.notify_support import add_due_follow_ups, add_patient

pytestmark = pytest.mark.integration

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def conn(db_session) -> Connection:
    """The rolled-back test transaction's connection."""
    return db_session.connection()


def purge(conn: Connection, settings, now=NOW, limit=None):
    return purge_expired(conn, settings, now, limit)


def add_outbox_row(conn: Connection, created_at: datetime,
                   published_at: datetime | None) -> uuid.UUID:
    message_id = uuid.uuid4()
    conn.execute(text(
        "INSERT INTO outbox_messages (message_id, task_name, queue, payload, created_at, "
        "published_at, attempts) VALUES (:m, 'test.task', 'test', '{}', :c, :p, 1)"),
        {"m": message_id, "c": created_at, "p": published_at})
    return message_id


def outbox_ids(conn: Connection) -> set[uuid.UUID]:
    return set(conn.execute(text("SELECT message_id FROM outbox_messages")).scalars())


def test_published_outbox_rows_go_after_the_retention_and_unpublished_ones_stay(
        conn, settings):
    days = settings.outbox_retention_days
    old_published = add_outbox_row(conn, NOW - timedelta(days=days + 2),
                                    NOW - timedelta(days=days + 1))
    recent_published = add_outbox_row(conn, NOW - timedelta(days=days + 2),
                                       NOW - timedelta(days=days - 1))
    old_unpublished = add_outbox_row(conn, NOW - timedelta(days=days + 30), None)

    assert purge(conn, settings).outbox_messages == 1
    assert outbox_ids(conn) == {recent_published, old_unpublished}
    assert old_published not in outbox_ids(conn)


def add_delivery(conn: Connection, follow_up_id: uuid.UUID, attempted_at: datetime,
                 status: str = "sent") -> uuid.UUID:
    delivery_id = uuid.uuid4()
    conn.execute(text(
        "INSERT INTO deliveries (id, follow_up_id, channel, attempt, status, attempted_at) "
        "VALUES (:id, :f, 'email', 1, :status, :at)"),
        {"id": delivery_id, "f": follow_up_id, "at": attempted_at, "status": status})
    return delivery_id


def set_status(conn: Connection, follow_up_id: uuid.UUID, status: str) -> None:
    conn.execute(text("UPDATE follow_ups SET status = :s WHERE id = :id"),
                 {"s": status, "id": follow_up_id})


def delivery_ids(conn: Connection) -> set[uuid.UUID]:
    return set(conn.execute(text("SELECT id FROM deliveries")).scalars())


def test_old_deliveries_of_settled_follow_ups_go_and_a_scheduled_ones_stay(conn, settings):
    days = settings.delivery_retention_days
    sent, failed, scheduled = add_due_follow_ups(conn, add_patient(conn),
                                                 NOW - timedelta(days=days + 10), count=3)
    set_status(conn, sent.id, "sent")
    set_status(conn, failed.id, "failed")
    old_sent = add_delivery(conn, sent.id, NOW - timedelta(days=days + 1), "failed")
    recent_sent = add_delivery(conn, sent.id, NOW - timedelta(days=days - 1))
    old_failed = add_delivery(conn, failed.id, NOW - timedelta(days=days + 1), "failed")
    # Still scheduled: its sent delivery keeps the dispatcher off that channel, however old.
    old_of_scheduled = add_delivery(conn, scheduled.id, NOW - timedelta(days=days + 1))

    assert purge(conn, settings).deliveries == 2
    assert delivery_ids(conn) == {recent_sent, old_of_scheduled}
    assert not {old_sent, old_failed} & delivery_ids(conn)


def add_sign_in(conn: Connection, user_id: uuid.UUID, expires_at: datetime,
                revoked_at: datetime | None = None) -> uuid.UUID:
    session_id = uuid.uuid4()
    conn.execute(text(
        "INSERT INTO auth_sessions (id, token_hash, user_id, created_at, expires_at, "
        "revoked_at) VALUES (:id, :hash, :user, :created, :expires, :revoked)"),
        {"id": session_id, "hash": uuid.uuid4().hex, "user": user_id,
         "created": expires_at - timedelta(hours=8), "expires": expires_at,
         "revoked": revoked_at})
    return session_id


def sign_in_ids(conn: Connection) -> set[uuid.UUID]:
    return set(conn.execute(text("SELECT id FROM auth_sessions")).scalars())


def test_staff_sessions_go_once_expired_or_revoked_for_longer_than_the_retention(
        conn, settings):
    days = settings.auth_session_retention_days
    user = make_user(conn, "clinician")
    long_expired = add_sign_in(conn, user.id, NOW - timedelta(days=days + 1))
    long_revoked = add_sign_in(conn, user.id, NOW + timedelta(hours=1),
                               revoked_at=NOW - timedelta(days=days + 1))
    lately_expired = add_sign_in(conn, user.id, NOW - timedelta(days=days - 1))
    lately_revoked = add_sign_in(conn, user.id, NOW + timedelta(hours=1),
                                 revoked_at=NOW - timedelta(days=days - 1))
    live = add_sign_in(conn, user.id, NOW + timedelta(hours=1))

    assert purge(conn, settings).auth_sessions == 2
    assert sign_in_ids(conn) == {lately_expired, lately_revoked, live}
    assert not {long_expired, long_revoked} & sign_in_ids(conn)


def test_nothing_is_purged_before_its_period_has_passed(conn, settings):
    add_outbox_row(conn, NOW, NOW)
    follow_up, = add_due_follow_ups(conn, add_patient(conn), NOW)
    set_status(conn, follow_up.id, "sent")
    add_delivery(conn, follow_up.id, NOW)
    add_sign_in(conn, make_user(conn, "front_desk").id, NOW - timedelta(hours=1))

    later = NOW + timedelta(days=min(settings.outbox_retention_days,
                                     settings.delivery_retention_days,
                                     settings.auth_session_retention_days) - 1)
    result = purge(conn, settings, now=later)

    assert (result.outbox_messages, result.deliveries, result.auth_sessions) == (0, 0, 0)


def test_each_sweep_deletes_at_most_one_batch_per_table(conn, settings):
    old = NOW - timedelta(days=settings.outbox_retention_days + 1)
    for _ in range(5):
        add_outbox_row(conn, old, old)

    batches = [purge(conn, settings, limit=2).outbox_messages for _ in range(4)]

    assert batches == [2, 2, 1, 0]


def engine_outbox_ids(engine) -> set[uuid.UUID]:
    with engine.connect() as conn:
        return outbox_ids(conn)


def test_rows_another_transaction_holds_are_skipped_not_waited_for(
        engine, settings, clean_database, leaves_no_rows):
    old = NOW - timedelta(days=settings.outbox_retention_days + 1)
    with engine.begin() as conn:
        held, free = add_outbox_row(conn, old, old), add_outbox_row(conn, old, old)

    with engine.connect() as other:
        other.execute(text("SELECT 1 FROM outbox_messages WHERE message_id = :m FOR UPDATE"),
                      {"m": held})
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '2s'"))  # a wait would fail, not hang
            deleted = purge_expired(conn, settings, NOW).outbox_messages
        other.rollback()

    assert deleted == 1
    assert engine_outbox_ids(engine) == {held}
    assert free not in engine_outbox_ids(engine)


def test_the_scheduler_sweep_purges_with_the_settings_periods(engine, settings, clean_database,
                                                              leaves_no_rows):
    old = NOW - timedelta(days=settings.outbox_retention_days + 1)
    with engine.begin() as conn:
        gone, kept = add_outbox_row(conn, old, old), add_outbox_row(conn, NOW, NOW)

    keep_records(engine, settings, NOW)

    assert engine_outbox_ids(engine) == {kept}
    assert gone not in engine_outbox_ids(engine)
