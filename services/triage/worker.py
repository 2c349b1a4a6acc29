"""The triage worker's composition root: `celery -A services.triage.worker worker -Q triage`."""

from __future__ import annotations

from celery.signals import worker_process_init

from shared import worker_checks
from shared.db import make_sync_engine
from shared.messaging import make_celery
from shared.settings import get_settings

app = make_celery("triage", get_settings(), include=["services.triage.tasks"])
worker_checks.install(app)
_engine = None


@worker_process_init.connect
def _build_engine_in_child(**_kwargs) -> None:
    # A forked pool child must not share its parent's connection pool.
    global _engine
    _engine = make_sync_engine(get_settings())


def engine():
    global _engine
    if _engine is None:  # solo/threads pools never fork, so build on first use
        _engine = make_sync_engine(get_settings())
    return _engine
