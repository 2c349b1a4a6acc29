"""The audit trail's monthly partitions: created ahead, and dropped whole once expired.

`audit_events` is partitioned by month of `occurred_at` (UTC), one table per month named
`audit_events_yYYYYmMM`, plus `audit_events_default` for a row no month takes (a clock far off,
a sweep that has not run for months). The scheduler's sweep keeps the current month and the
next `audit_partitions_ahead_months` in place, and detaches and drops every month whose last
moment is older than `audit_retention_months`: the rows go by the month, never by DELETE,
which the append-only trigger refuses.

Append-only on every live partition: the row trigger on the parent (UPDATE, DELETE) is cloned
by PostgreSQL to each partition; a statement trigger is not, so each partition gets its own
TRUNCATE trigger here (and in migration 0016). A detached partition loses the cloned trigger,
which is why it is dropped in the same transaction.

The default partition is never dropped, and a month whose rows already sit there cannot get
its own partition (PostgreSQL refuses; the rows cannot be moved out of an append-only table):
that month is skipped with an error in the log, and its rows stay in the default partition.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, text

log = logging.getLogger("audit.partitions")

PARENT = "audit_events"
DEFAULT_PARTITION = "audit_events_default"
_MONTH_NAME = re.compile(r"^audit_events_y(\d{4})m(\d{2})$")
# Two schedulers at once must not both create (or drop) the same month.
_MAINTENANCE_LOCK = 0x61756469  # "audi"
# DETACH needs a brief exclusive lock on the parent: wait no longer than this for it (every
# audited request inserts there), and try again at the next sweep.
_LOCK_TIMEOUT = "5s"


def month_start(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return datetime(moment.year, moment.month, 1, tzinfo=UTC)


def add_months(month: datetime, months: int) -> datetime:
    index = month.year * 12 + month.month - 1 + months
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def partition_name(month: datetime) -> str:
    return f"{PARENT}_y{month.year:04d}m{month.month:02d}"


def create_month_partition(conn: Connection, month: datetime) -> bool:
    """The partition of `month` (append-only like its parent); False if it exists already or
    rows of that month sit in the default partition."""
    month = month_start(month)
    name, end = partition_name(month), add_months(month, 1)
    if conn.execute(text("SELECT to_regclass(:name)"), {"name": name}).scalar() is not None:
        return False
    stranded = conn.execute(text(
        f"SELECT EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} "
        "WHERE occurred_at >= :start AND occurred_at < :end)"),
        {"start": month, "end": end}).scalar()
    if stranded:
        log.error("audit rows of %s are in %s; that month keeps them there (no partition)",
                  month.strftime("%Y-%m"), DEFAULT_PARTITION)
        return False
    # DDL takes no bind parameters; both bounds are datetimes made here, never input.
    conn.execute(text(
        f"CREATE TABLE {name} PARTITION OF {PARENT} "
        f"FOR VALUES FROM ('{month.isoformat()}') TO ('{end.isoformat()}')"))
    conn.execute(text(
        f"CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON {name} "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()"))
    return True


def month_partitions(conn: Connection) -> dict[str, datetime]:
    """The month partitions attached to the audit trail, by name."""
    names = conn.execute(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(:parent)"), {"parent": PARENT}).scalars()
    months = {}
    for name in names:
        if match := _MONTH_NAME.match(name):
            months[name] = datetime(int(match[1]), int(match[2]), 1, tzinfo=UTC)
    return months


@dataclass(frozen=True)
class PartitionChanges:
    created: list[str]
    dropped: list[str]


def maintain(conn: Connection, now: datetime, *, ahead_months: int,
             retention_months: int) -> PartitionChanges:
    """Creates this month's and the next `ahead_months` partitions, and detaches and drops the
    months wholly older than `retention_months`, in the caller's transaction."""
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MAINTENANCE_LOCK})
    this_month = month_start(now)
    created = [partition_name(add_months(this_month, n)) for n in range(ahead_months + 1)
               if create_month_partition(conn, add_months(this_month, n))]
    # Month M holds [M, M+1): all of it is expired once M+1 <= now - retention, which for a
    # month boundary is M+1 <= (this month - retention).
    cutoff = add_months(this_month, -retention_months)
    expired = sorted(name for name, month in month_partitions(conn).items()
                     if add_months(month, 1) <= cutoff)
    if expired:
        conn.execute(text(f"SET LOCAL lock_timeout = '{_LOCK_TIMEOUT}'"))
    for name in expired:
        conn.execute(text(f"ALTER TABLE {PARENT} DETACH PARTITION {name}"))
        conn.execute(text(f"DROP TABLE {name}"))
        log.info("audit partition %s dropped: older than %d months", name, retention_months)
    return PartitionChanges(created=created, dropped=expired)


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's autogenerate filter: the partitions are made by the migration and the sweep,
    not by the models, so a schema comparison leaves them out."""
    return not (type_ == "table" and name is not None
                and (name == DEFAULT_PARTITION or _MONTH_NAME.match(name) is not None))
