"""Observability for a Celery app's processes, wired by its composition root in one line:
`celery_process.install(app)`.

- task metrics (celery_metrics.py) from every pool process;
- each pool process sets up tracing after the fork (the Celery instrumentation's advice: a
  forked child must not share its parent's exporter thread), with task spans;
- log lines in the configured format once Celery has set up its handlers;
- the worker's main process serves CLINIC_METRICS_PORT when set (worker_metrics.py).
`celery beat` on the same app logs as "scheduler".
"""

from __future__ import annotations

import sys

from celery import Celery
from celery.signals import (
    after_setup_logger,
    after_setup_task_logger,
    worker_process_init,
    worker_ready,
)

from shared.observability import celery_metrics, log_format, tracing, worker_metrics
from shared.settings import get_settings


def service_name(app: Celery) -> str:
    return "scheduler" if "beat" in sys.argv[1:] else app.main


def install(app: Celery) -> None:
    celery_metrics.install(app)
    uid = f"clinic-observability-{app.main}"

    def pool_process_started(**_kwargs) -> None:
        tracing.configure(service_name(app))
        tracing.instrument_celery_worker()

    def logging_set_up(**_kwargs) -> None:
        log_format.apply(service_name(app), get_settings().log_format)

    def worker_started(sender=None, **_kwargs) -> None:
        if sender is not None and getattr(sender, "app", app) is not app:
            return
        settings = get_settings()
        if settings.metrics_port:
            worker_metrics.serve(settings.metrics_port, settings.metrics_token)

    worker_process_init.connect(pool_process_started, weak=False, dispatch_uid=f"{uid}-init")
    for signal in (after_setup_logger, after_setup_task_logger):
        signal.connect(logging_set_up, weak=False, dispatch_uid=f"{uid}-{signal.name}")
    worker_ready.connect(worker_started, weak=False, dispatch_uid=f"{uid}-ready")
