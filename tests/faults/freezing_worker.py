"""A triage worker that freezes, whole, on the first message it takes, as a SIGSTOPped or
wedged worker would: `celery -A tests.faults.freezing_worker worker -Q triage`. Built by
make_celery like the real triage worker (same visibility timeout, same unacknowledged-message
keys), and it beats like one, so its heartbeat stops when it freezes."""

from __future__ import annotations

import os
import signal

from shared import heartbeats
from shared.contracts import TriageCase
from shared.messaging import make_celery
from shared.settings import get_settings

app = make_celery("triage", get_settings())
heartbeats.install(app)


@app.task(name=TriageCase.task_name)
def evaluate_case(**_payload) -> None:
    os.kill(os.getppid(), signal.SIGSTOP)  # the worker's main process: no ack, no heartbeat
    os.kill(os.getpid(), signal.SIGSTOP)
