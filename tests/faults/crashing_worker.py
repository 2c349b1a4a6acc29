"""A worker whose triage task kills its own process, as a segfault or the OOM killer would:
`celery -A tests.faults.crashing_worker worker -Q triage`. Built by make_celery like the real
triage worker, so it has the same delivery guarantees and dead-letter tracking."""

from __future__ import annotations

import os

from shared.contracts import TriageCase
from shared.messaging import make_celery
from shared.settings import get_settings

app = make_celery("triage", get_settings())


@app.task(name=TriageCase.task_name)
def evaluate_case(**_payload) -> None:
    os._exit(70)
