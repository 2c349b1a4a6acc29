"""The triage worker's composition root: `celery -A services.triage.worker worker -Q triage`."""

from __future__ import annotations

from celery.signals import worker_process_init

from services.triage.warm_up import warm_up
from shared import heartbeats, worker_checks
from shared.db import process_engine
from shared.memory import set_aside_startup_objects
from shared.messaging import make_celery
from shared.observability import celery_process
from shared.settings import get_settings

app = make_celery("triage", get_settings(), include=["services.triage.tasks"])
worker_checks.install(app)
heartbeats.install(app)  # the supervisor and readiness read it (shared/heartbeats.py)
celery_process.install(app)  # metrics, traces, log format (shared/observability)
engine = process_engine()  # each pool child builds its own (shared/per_process.py)


@worker_process_init.connect
def _warm_up_pool_process(**_kwargs) -> None:
    warm_up(engine)
    set_aside_startup_objects()
