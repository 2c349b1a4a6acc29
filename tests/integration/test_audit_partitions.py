"""The audit trail is partitioned by month: every live partition refuses UPDATE, DELETE and
TRUNCATE as the parent does, the sweep creates the months ahead, and a month is dropped whole
once all of it is older than the retention. Clocks are the `now` each call is given."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from shared import audit_partitions
from shared.audit_partitions import create_month_partition, maintain, month_partitions

pytestmark = pytest.mark.integration

RETENTION = 96  # months: the default eight years


def add_event(engine, occurred_at: datetime) -> tuple[int, str]:
    """Inserts through the parent; returns the id and the partition the row landed in."""
    with engine.begin() as conn:
        return tuple(conn.execute(text(
            "INSERT INTO audit_events (occurred_at, actor_id, actor_role, action, "
            "resource_type, resource_id, outcome) VALUES (:at, 'test', 'system', 'read', "
            "'Case', :rid, 'success') RETURNING id, tableoid::regclass::text"),
            {"at": occurred_at, "rid": uuid.uuid4().hex}).one())


def event_ids(engine) -> set[int]:
    with engine.connect() as conn:
        return set(conn.execute(text("SELECT id FROM audit_events")).scalars())


def refused(engine, statement: str) -> str:
    with pytest.raises(DBAPIError) as error, engine.begin() as conn:
        conn.execute(text(statement))
    return str(error.value.orig)


@pytest.mark.parametrize("table", ["audit_events", "this_month", "audit_events_default"])
@pytest.mark.parametrize("statement", ["UPDATE {} SET outcome = 'edited'", "DELETE FROM {}",
                                       "TRUNCATE {}"])
def test_the_parent_and_every_partition_refuse_changes_to_the_trail(engine, statement, table):
    event_id, this_month = add_event(engine, datetime.now(UTC))
    add_event(engine, datetime(1999, 1, 1, tzinfo=UTC))  # no month of its own: the default
    table = this_month if table == "this_month" else table

    assert "append-only" in refused(engine, statement.format(table))
    assert event_id in event_ids(engine)


def test_a_partition_the_sweep_creates_refuses_truncate_too(engine):
    with engine.begin() as conn:
        maintain(conn, datetime(2041, 3, 9, tzinfo=UTC), ahead_months=1,
                 retention_months=RETENTION)
    _, partition = add_event(engine, datetime(2041, 4, 2, tzinfo=UTC))

    assert partition == "audit_events_y2041m04"
    assert "append-only" in refused(engine, f"TRUNCATE {partition}")
    assert "append-only" in refused(engine, f"DELETE FROM {partition}")


def test_the_sweep_creates_this_month_and_the_months_ahead_once(engine):
    with engine.begin() as conn:
        first = maintain(conn, datetime(2037, 11, 20, tzinfo=UTC), ahead_months=3,
                         retention_months=RETENTION)
    with engine.begin() as conn:
        again = maintain(conn, datetime(2037, 11, 25, tzinfo=UTC), ahead_months=3,
                         retention_months=RETENTION)
        names = set(month_partitions(conn))

    assert first.created == ["audit_events_y2037m11", "audit_events_y2037m12",
                             "audit_events_y2038m01", "audit_events_y2038m02"]
    assert again.created == []
    assert set(first.created) <= names
    assert add_event(engine, datetime(2038, 2, 28, 23, 59, tzinfo=UTC))[1] == \
        "audit_events_y2038m02"


def test_a_month_is_dropped_only_once_all_of_it_is_older_than_the_retention(engine):
    with engine.begin() as conn:
        create_month_partition(conn, datetime(2010, 1, 1, tzinfo=UTC))
        create_month_partition(conn, datetime(2010, 2, 1, tzinfo=UTC))
    january = {add_event(engine, datetime(2010, 1, day, tzinfo=UTC))[0] for day in (1, 31)}
    february, partition = add_event(engine, datetime(2010, 2, 1, tzinfo=UTC))
    assert partition == "audit_events_y2010m02"

    # 2018-01-31: the last moment of January 2010 is not yet eight years old.
    with engine.begin() as conn:
        kept = maintain(conn, datetime(2018, 1, 31, 23, 59, tzinfo=UTC), ahead_months=1,
                        retention_months=RETENTION)
    assert kept.dropped == [] and january <= event_ids(engine)

    with engine.begin() as conn:
        expired = maintain(conn, datetime(2018, 2, 1, 0, 1, tzinfo=UTC), ahead_months=1,
                           retention_months=RETENTION)
        names = set(month_partitions(conn))
        gone = conn.execute(text("SELECT to_regclass('audit_events_y2010m01')")).scalar()

    assert expired.dropped == ["audit_events_y2010m01"]
    assert gone is None and "audit_events_y2010m02" in names
    assert not january & event_ids(engine)
    assert february in event_ids(engine)


def test_a_month_whose_rows_sit_in_the_default_partition_keeps_them_there(engine):
    stranded, partition = add_event(engine, datetime(2003, 6, 15, tzinfo=UTC))
    assert partition == audit_partitions.DEFAULT_PARTITION

    with engine.begin() as conn:
        created = create_month_partition(conn, datetime(2003, 6, 1, tzinfo=UTC))

    assert created is False
    assert stranded in event_ids(engine)
    # The default partition is never a month, so never dropped however old its rows.
    with engine.begin() as conn:
        maintain(conn, datetime(2030, 1, 1, tzinfo=UTC), ahead_months=1,
                 retention_months=RETENTION)
    assert stranded in event_ids(engine)
