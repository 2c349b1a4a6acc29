"""EXPLAIN (ANALYZE) of the hot queries, captured from the product's own code as it runs them,
so the plans shown are those of the SQL the services really send:

    queue listing       services.intake.queues.service.list_queue (rows, then counts)
    follow-up claim     services.notify.repository.claim_due (a batch of one)
    outbox claim        shared.outbox.relay.CLAIM_BATCH

Each runs in a transaction that is rolled back, so a claim takes nothing.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from sqlalchemy import event

from services.intake.queues.service import list_queue
from services.notify.repository import claim_due
from shared.clock import utcnow
from shared.db import async_session_factory, make_async_engine, make_sync_engine, sync_session
from shared.outbox.relay import CLAIM_BATCH
from shared.settings import Settings

BIG_TABLES = ("queue_entries", "triage_decisions", "cases", "follow_ups", "outbox_messages")
# The table each query selects from: it must be reached through an index. (A small joined
# table may be read whole when the planner finds that cheaper; the report shows it.)
DRIVING_TABLE = {"queue listing (rows)": "queue_entries", "queue listing (counts)": "queue_entries",
                 "follow-up claim": "follow_ups", "outbox claim": "outbox_messages"}


@dataclass(frozen=True)
class Plan:
    query: str
    lines: list[str]

    @property
    def execution_ms(self) -> float:
        for line in self.lines:
            if match := re.match(r"Execution Time: ([\d.]+) ms", line.strip()):
                return float(match.group(1))
        return 0.0

    @property
    def sequential_scans(self) -> list[str]:
        return [t for line in self.lines for t in BIG_TABLES if f"Seq Scan on {t}" in line]

    @property
    def indexes(self) -> list[str]:
        return sorted({name for line in self.lines for pair in INDEX_USE.findall(line)
                       for name in pair if name})

    @property
    def index_backed(self) -> bool:
        return bool(self.indexes) and DRIVING_TABLE[self.query] not in self.sequential_scans

    def as_dict(self) -> dict:
        return {"query": self.query, "execution_ms": self.execution_ms, "indexes": self.indexes,
                "sequential_scans": self.sequential_scans, "index_backed": self.index_backed,
                "plan": self.lines}


def _capture(sync_engine) -> list[tuple[str, object]]:
    captured: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith("EXPLAIN"):
            captured.append((statement, parameters))

    event.listen(sync_engine, "before_cursor_execute", keep)
    return captured


EXPLAIN = "EXPLAIN (ANALYZE, BUFFERS) "
INDEX_USE = re.compile(r"Index (?:Only )?Scan using (\w+)|Bitmap Index Scan on (\w+)")


async def _queue_listing(settings: Settings, queue: str) -> list[Plan]:
    engine = make_async_engine(settings)
    captured = _capture(engine.sync_engine)
    try:
        async with async_session_factory(engine)() as session:
            await list_queue(session, queue, None, 100)
            conn = await session.connection()
            names = ["queue listing (rows)", "queue listing (counts)"]
            plans = []
            for name, (statement, params) in zip(names, captured, strict=False):
                rows = (await conn.exec_driver_sql(EXPLAIN + statement, params)).all()
                plans.append(Plan(name, [row[0] for row in rows]))
            await session.rollback()
        return plans
    finally:
        await engine.dispose()


def _claims(settings: Settings) -> list[Plan]:
    engine = make_sync_engine(settings)
    captured = _capture(engine)
    try:
        with sync_session(engine) as session, session.begin():
            claim_due(session, utcnow(), 1)
            statement, params = captured[-1]
            conn = session.connection()
            follow_up = conn.exec_driver_sql(EXPLAIN + statement, params).all()
            outbox = conn.exec_driver_sql(EXPLAIN + _driver_sql(engine, CLAIM_BATCH),
                                          {"limit": 200}).all()
            session.rollback()
        return [Plan("follow-up claim", [r[0] for r in follow_up]),
                Plan("outbox claim", [r[0] for r in outbox])]
    finally:
        engine.dispose()


def _driver_sql(engine, clause) -> str:
    return str(clause.compile(dialect=engine.dialect))


def hot_query_plans(database_url: str, queue: str = "imaging") -> list[Plan]:
    settings = Settings(DATABASE_URL=database_url)
    return asyncio.run(_queue_listing(settings, queue)) + _claims(settings)
