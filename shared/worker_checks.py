"""A worker refuses to start when its Celery settings would lose or repeat work.

    install(app)   # one line in each worker module; runs on Celery's worker_init signal

What must hold, and why:
- late acknowledgement, reject-on-worker-lost and no acknowledgement on a hard time limit: a
  task whose worker dies, or that is killed at its time limit, comes back;
- JSON only: no pickle arrives from the broker, and payloads stay readable;
- prefetch of one: a killed worker strands as few reserved messages as possible;
- every task has a hard time limit, and the visibility timeout exceeds the time a message can
  stay unacknowledged (waiting behind one prefetched task, then running: (1 + prefetch) x the
  longest limit); otherwise Redis hands a slow task to a second worker while it still runs.
"""

from __future__ import annotations

import logging

from celery import Celery
from celery.signals import worker_init

log = logging.getLogger("worker_checks")
EX_CONFIG = 78  # sysexits.h: configuration error


def guarantee_problems(app: Celery) -> list[str]:
    """What is wrong with `app`'s settings; an empty list means the guarantees hold."""
    conf = app.conf
    problems = []
    if conf.task_serializer != "json" or set(conf.accept_content or []) != {"json"}:
        problems.append("task_serializer and accept_content must be JSON only")
    prefetch = conf.worker_prefetch_multiplier
    if prefetch != 1:
        problems.append(f"worker_prefetch_multiplier must be 1, not {prefetch}")
    visibility = (conf.broker_transport_options or {}).get("visibility_timeout")
    if not visibility:
        problems.append("broker_transport_options.visibility_timeout must be set")
    for name, task in sorted(app.tasks.items()):
        if name.startswith("celery."):
            continue
        if not task.acks_late or not task.reject_on_worker_lost:
            problems.append(f"{name}: acks_late and reject_on_worker_lost must be on")
        if task.acks_on_timeout:
            problems.append(f"{name}: acks_on_timeout must be off (a task killed at its "
                            "hard time limit must come back)")
        limit = task.time_limit or conf.task_time_limit
        if not limit:
            problems.append(f"{name}: needs a hard time_limit")
        elif visibility and visibility <= (1 + prefetch) * limit:
            problems.append(f"{name}: visibility timeout {visibility}s must exceed "
                            f"{1 + prefetch} x its time limit ({limit}s)")
    return problems


def install(app: Celery) -> None:
    def refuse_unsafe_settings(sender=None, **_kwargs) -> None:
        if sender is not None and sender.app is not app:
            return
        app.loader.import_default_modules()  # the tasks must be registered to be checked
        problems = guarantee_problems(app)
        if problems:
            for problem in problems:
                log.critical("unsafe Celery setting: %s", problem)
            # SystemExit passes through Celery's signal dispatch, which swallows Exceptions.
            raise SystemExit(EX_CONFIG)

    worker_init.connect(refuse_unsafe_settings, weak=False)
