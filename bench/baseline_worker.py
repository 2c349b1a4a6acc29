"""The baseline for the triage worker: a Celery task that does one PostgreSQL insert.

    celery -A bench.baseline_worker worker -Q bench --concurrency N

Built by shared.messaging.make_celery, so it has the product's reliability settings (late
acknowledgement, reject on worker lost, prefetch 1, JSON, visibility timeout) over the same
Redis; the task itself is a plain celery Task, without the product's delivery bookkeeping.
"""

from __future__ import annotations

import uuid

from celery import Task
from celery.signals import worker_process_init
from sqlalchemy import text

from shared.db import make_sync_engine
from shared.messaging import make_celery
from shared.settings import get_settings

TASK_NAME = "bench.rows.insert"
QUEUE = "bench"
INSERT = text("INSERT INTO bench_tasks (id) VALUES (:id)")

app = make_celery("bench", get_settings())
app.conf.task_routes = {TASK_NAME: {"queue": QUEUE}}
_engine = None


@worker_process_init.connect
def _build_engine_in_child(**_kwargs) -> None:
    global _engine
    _engine = make_sync_engine(get_settings())


@app.task(name=TASK_NAME, base=Task, acks_late=True, reject_on_worker_lost=True)
def insert_row(row_id: str) -> None:
    global _engine
    if _engine is None:
        _engine = make_sync_engine(get_settings())
    with _engine.begin() as conn:
        conn.execute(INSERT, {"id": uuid.UUID(row_id)})
