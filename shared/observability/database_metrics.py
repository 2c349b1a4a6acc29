"""The gauges read at scrape time from PostgreSQL and Redis: the state of the system, right
whichever API process answers, with nothing to keep in step between processes.

Every query is bounded: open queue entries and unpublished outbox rows through their partial
indexes, counts capped at COUNT_CAP rows, the closed cases (which only grow) from the
planner's estimate, and the whole read under a statement timeout. A database that does not
answer makes `clinic_database_metrics_up` 0 instead of failing the scrape, so the process
metrics still arrive.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.heartbeats import KINDS, report_async

COUNT_CAP = 100_000
STATEMENT_TIMEOUT_MS = 2000
TIMEOUT_SECONDS = 3.0

OPEN_CASE_STATES = ("awaiting_triage", "routed")
CASES_BY_STATE = text(
    "SELECT status, count(*) FROM cases WHERE status IN ('awaiting_triage', 'routed') "
    "GROUP BY status")
# reltuples is -1 before the table was ever analysed.
CASES_ESTIMATE = text(
    "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'cases'::regclass")
QUEUES = text(
    """
    SELECT queue, urgency, count(*) AS depth,
           extract(epoch FROM (CAST(:now AS timestamptz) - min(entered_at))) AS oldest_wait,
           count(*) FILTER (WHERE due_at < CAST(:now AS timestamptz)) AS breaches
    FROM queue_entries WHERE status IN ('requested', 'accepted', 'in-progress')
    GROUP BY queue, urgency
    """)
OUTBOX_BACKLOG = text(
    "SELECT count(*) FROM (SELECT 1 FROM outbox_messages WHERE published_at IS NULL "
    "LIMIT :cap) AS pending")
OUTBOX_OLDEST = text(
    "SELECT extract(epoch FROM (CAST(:now AS timestamptz) - created_at)) FROM outbox_messages "
    "WHERE published_at IS NULL ORDER BY id LIMIT 1")
DEAD_LETTERS = text(
    "SELECT task_name, count(*) FROM (SELECT task_name FROM dead_letters LIMIT :cap) AS d "
    "GROUP BY task_name")


@dataclass
class Snapshot:
    database_up: bool = False
    redis_up: bool = False
    cases: dict[str, float] = field(default_factory=dict)
    queues: list[tuple[str, str, float, float, float]] = field(default_factory=list)
    outbox_backlog: float = 0.0
    outbox_oldest_age: float = 0.0
    dead_letters: dict[str, float] = field(default_factory=dict)
    live_processes: dict[str, float] = field(default_factory=dict)


async def read_snapshot(engine: AsyncEngine, redis, now) -> Snapshot:
    snapshot = Snapshot()
    try:
        await asyncio.wait_for(_read_database(engine, now, snapshot), TIMEOUT_SECONDS)
        snapshot.database_up = True
    except Exception:  # noqa: BLE001 - any failure is reported as the gauge, never a 500
        snapshot.database_up = False
    try:
        report = await asyncio.wait_for(report_async(redis), TIMEOUT_SECONDS)
        snapshot.live_processes = {kind: float(len(report.get(kind, {}).get("alive", [])))
                                   for kind in KINDS}
        snapshot.redis_up = True
    except Exception:  # noqa: BLE001
        snapshot.redis_up = False
    return snapshot


async def _read_database(engine: AsyncEngine, now, snapshot: Snapshot) -> None:
    async with engine.connect() as conn, conn.begin():
        await conn.execute(text("SET TRANSACTION READ ONLY"))
        await conn.execute(text(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}"))
        open_counts = {state: 0.0 for state in OPEN_CASE_STATES}
        open_counts.update({row[0]: float(row[1])
                            for row in await conn.execute(CASES_BY_STATE)})
        estimate = float((await conn.execute(CASES_ESTIMATE)).scalar() or 0)
        snapshot.cases = {**open_counts,
                          "closed": max(0.0, estimate - sum(open_counts.values()))}
        snapshot.queues = [(row.queue, row.urgency, float(row.depth), float(row.oldest_wait),
                            float(row.breaches))
                           for row in await conn.execute(QUEUES, {"now": now})]
        snapshot.outbox_backlog = float(
            (await conn.execute(OUTBOX_BACKLOG, {"cap": COUNT_CAP})).scalar() or 0)
        oldest = (await conn.execute(OUTBOX_OLDEST, {"now": now})).scalar()
        snapshot.outbox_oldest_age = max(0.0, float(oldest)) if oldest is not None else 0.0
        snapshot.dead_letters = {row[0]: float(row[1]) for row in
                                 await conn.execute(DEAD_LETTERS, {"cap": COUNT_CAP})}


class SnapshotCollector:
    """A prometheus_client collector showing one Snapshot (read just before rendering)."""

    def __init__(self, snapshot: Snapshot):
        self.snapshot = snapshot

    def collect(self):
        s = self.snapshot
        yield _gauge("clinic_database_metrics_up",
                     "1 when the gauges read from PostgreSQL at this scrape are current.",
                     [((), 1.0 if s.database_up else 0.0)])
        yield _gauge("clinic_heartbeats_up", "1 when Redis answered for the heartbeats.",
                     [((), 1.0 if s.redis_up else 0.0)])
        if s.database_up:
            yield _gauge("clinic_cases", "Cases by state (closed: the planner's estimate).",
                         [((state,), value) for state, value in sorted(s.cases.items())],
                         ("state",))
            yield from _queue_gauges(s.queues)
            yield _gauge("clinic_outbox_backlog_messages",
                         f"Outbox messages not yet published (counted up to {COUNT_CAP}).",
                         [((), s.outbox_backlog)])
            yield _gauge("clinic_outbox_oldest_unpublished_age_seconds",
                         "Age of the oldest unpublished outbox message (0: none waiting).",
                         [((), s.outbox_oldest_age)])
            yield _gauge("clinic_dead_letters", "Dead letters on the staff's list, by task.",
                         [((task,), value) for task, value in sorted(s.dead_letters.items())],
                         ("task",))
        if s.redis_up:
            yield _gauge("clinic_live_processes",
                         "Background processes whose heartbeat is current, by kind.",
                         [((kind,), value) for kind, value in sorted(s.live_processes.items())],
                         ("kind",))


def _queue_gauges(queues):
    labels = ("queue", "urgency")
    yield _gauge("clinic_queue_depth", "Open queue entries (waiting or being worked).",
                 [((q, u), depth) for q, u, depth, _, _ in queues], labels)
    yield _gauge("clinic_queue_oldest_wait_seconds",
                 "How long the longest-waiting open entry has been on its queue.",
                 [((q, u), wait) for q, u, _, wait, _ in queues], labels)
    yield _gauge("clinic_queue_breaches", "Open entries past their waiting target.",
                 [((q, u), breaches) for q, u, _, _, breaches in queues], labels)


def _gauge(name: str, documentation: str, samples, labels: tuple[str, ...] = ()):
    family = GaugeMetricFamily(name, documentation, labels=list(labels))
    for label_values, value in samples:
        family.add_metric(list(label_values), value)
    return family
