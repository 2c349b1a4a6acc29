"""Celery tasks by name and outcome, with their run time, recorded by the pool process that
ran them (metrics.py: multiprocess files, added up by whoever serves /metrics).

A task killed at its hard time limit, or with its process, never reaches task_postrun and is
not counted here; its message comes back (shared/messaging.py) and the dead letters count
what is given up.
"""

from __future__ import annotations

import time

from celery import Celery
from celery.signals import task_postrun, task_prerun

from shared.observability.metrics import TASK_DURATION, TASKS

_STARTED_AT = "_clinic_started_at"


def install(app: Celery) -> None:
    def started(sender=None, task=None, **_kwargs) -> None:
        if task is not None and task.app is app:
            setattr(task.request, _STARTED_AT, time.perf_counter())

    def finished(sender=None, task=None, state=None, **_kwargs) -> None:
        if task is None or task.app is not app:
            return
        started_at = getattr(task.request, _STARTED_AT, None)
        outcome = (state or "unknown").lower()
        TASKS.labels(task.name, outcome).inc()
        if started_at is not None:
            TASK_DURATION.labels(task.name, outcome).observe(time.perf_counter() - started_at)

    task_prerun.connect(started, weak=False, dispatch_uid=f"clinic-task-metrics-start-{app.main}")
    task_postrun.connect(finished, weak=False, dispatch_uid=f"clinic-task-metrics-end-{app.main}")
