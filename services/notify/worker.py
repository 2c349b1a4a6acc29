"""The notify service's composition root.

Worker:    `celery -A services.notify.worker worker -Q notify`
Scheduler: `celery -A services.notify.worker beat` (sends the periodic dispatch task)
"""

from __future__ import annotations

from shared import heartbeats, worker_checks
from shared.db import process_engine
from shared.messaging import make_celery
from shared.observability import celery_process
from shared.settings import get_settings

DISPATCH_TASK = "notify.followups.dispatch_due"
SWEEP_TASK = "reliability.sweep"

app = make_celery("notify", get_settings(),
                  include=["services.notify.tasks", "services.notify.sweep"])
app.conf.task_routes = {**app.conf.task_routes, DISPATCH_TASK: {"queue": "notify"},
                        SWEEP_TASK: {"queue": "notify"}}
app.conf.beat_schedule = {
    "dispatch-due-follow-ups": {
        "task": DISPATCH_TASK,
        "schedule": get_settings().dispatch_interval_seconds,
        # A dispatch that waited longer than one interval is superseded by the next one.
        "options": {"queue": "notify", "expires": get_settings().dispatch_interval_seconds},
    },
    # Re-publishes work whose effect has not appeared in time (shared/sweeper.py).
    "sweep-stalled-work": {
        "task": SWEEP_TASK,
        "schedule": get_settings().sweep_interval_seconds,
        "options": {"queue": "notify", "expires": get_settings().sweep_interval_seconds},
    },
}
worker_checks.install(app)
# The worker beats as "notify", `celery beat` as "scheduler" (shared/heartbeats.py).
heartbeats.install(app)
celery_process.install(app)  # metrics, traces, log format (shared/observability)
engine = process_engine()  # each pool child builds its own (shared/per_process.py)
