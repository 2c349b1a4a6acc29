"""The real notify worker, except that the first delivery of each "case routed" message hangs
where the soft time limit cannot reach it (its signal blocked, as in a C call that ignores
signals), so the hard limit kills the pool process:
`celery -A tests.faults.hanging_notify_worker worker -Q notify`. The limits are shortened so the
test does not wait the production 30 s; everything else is the shipped worker and task."""

from __future__ import annotations

import signal
import time

from celery.signals import task_prerun

from shared import messaging
from shared.contracts import CaseRouted
from tests.faults.hanging_limits import HARD, SOFT

messaging.TASK_TIME_LIMITS[CaseRouted.task_name] = (SOFT, HARD)

from services.notify.worker import app  # after the limits above

__all__ = ["app"]


@task_prerun.connect
def _hang_on_first_delivery(task=None, **_kwargs) -> None:
    if task.name == CaseRouted.task_name and not (task.request.delivery_info or {}).get(
            "redelivered"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})  # the soft limit's signal
        time.sleep(3600)
