"""The Celery app every process builds the same way, with the delivery guarantees we rely on.

At-least-once: a task is acknowledged only when it finished, and comes back if its worker dies.
Every consumer is idempotent, so a message that comes back twice does its work once.
shared/worker_checks.py refuses to start a worker whose settings break any of this.
"""

from __future__ import annotations

from celery import Celery
from sqlalchemy.exc import InterfaceError, OperationalError

from shared.contracts import MESSAGE_TYPES
from shared.dead_letters import MAX_ATTEMPTS
from shared.logging import redact_celery_logs
from shared.settings import Settings

# Redis hands an unacknowledged message to another worker after the visibility timeout. It
# must exceed the time a message can legitimately stay unacknowledged: waiting in the prefetch
# buffer behind one task, then running (so more than twice the longest time limit), or a
# slow task runs twice. Per service: a worker killed outright gets its messages back only
# after this timeout, so both keep it short: triage (millisecond tasks) to route quickly, notify
# because a staff alert for an emergency may be among them (its tasks are bounded to 40 s).
VISIBILITY_TIMEOUT_SECONDS = {"triage": 30, "notify": 90}
DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 300

# (soft, hard) time limits. The soft limit raises inside the task so it fails visibly (and is
# dead-lettered); the hard limit kills a task stuck where the soft one cannot reach it.
DEFAULT_TIME_LIMITS = (20, 30)
TASK_TIME_LIMITS = {
    "triage.cases.evaluate": (8, 10),
    # Under triage's 30 s visibility timeout (one prefetched message), so a page's replay is
    # bounded (services/triage/replay_requests.py); longer replays are the CLI's.
    "triage.rules.replay": (12, 14),
    "notify.cases.routed": (20, 30),
    # A dispatch stops claiming after 10 s (services/notify/dispatcher.py); the follow-up in
    # hand may still wait out both channels' timeouts (email 10 s, SMS 10 s).
    "notify.followups.dispatch_due": (35, 40),
    "reliability.sweep": (35, 40),
}


# Only a lost or refused database connection is worth retrying; anything else is a bug or bad
# data and must fail loudly (and be dead-lettered) rather than loop. Delays 2, 4, 8, 16 s, with
# no jitter: jitter may draw ~0 s, and a message's five attempts were then spent in the few
# seconds a PostgreSQL restart takes (measured in the restart fault test).
TRANSIENT_RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": False,
}


def make_celery(name: str, settings: Settings, include: list[str] | None = None) -> Celery:
    redact_celery_logs()  # shared/logging.py says why
    app = Celery(name, broker=settings.redis_url, include=include or [],
                 # Counts deliveries per message and dead-letters the ones that keep failing.
                 task_cls="shared.dead_letters:TrackedTask")
    visibility = VISIBILITY_TIMEOUT_SECONDS.get(name, DEFAULT_VISIBILITY_TIMEOUT_SECONDS)
    app.conf.update(
        # A task is acknowledged only after it finished, and re-queued if its worker dies, so a
        # SIGKILLed worker loses nothing (measured: defaults lost tasks, these lost none).
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # A task killed at its hard time limit goes back on the queue too, as one whose worker
        # died does (Celery's default acknowledges it, and the work was lost: a "case routed"
        # whose follow-ups were never scheduled). Redeliveries are counted, so one that hangs
        # every time is dead-lettered after five (shared/dead_letters.py).
        task_acks_on_timeout=False,
        # One message reserved per pool process: a killed worker strands as few as possible,
        # and a long task does not hold back messages another process could run.
        worker_prefetch_multiplier=1,
        broker_transport_options={
            "visibility_timeout": visibility,
            # Each service restores only its own unacknowledged messages: triage's short
            # timeout must not hand a long notify task to a second worker.
            "unacked_key": f"unacked:{name}",
            "unacked_index_key": f"unacked_index:{name}",
            "unacked_mutex_key": f"unacked_mutex:{name}",
            # Kombu's default sweep for abandoned messages runs every 10 s x 10 = 100 s, which
            # left a killed worker's tasks waiting that long past the visibility timeout
            # (measured in the SIGKILL fault test). Sweep every 5 s instead: one ZRANGE on a
            # small index. A killed sweeper's mutex must not block the others for 5 minutes.
            "unacked_restore_interval": 5,
            "unacked_restore_throttle": 1,
            "unacked_mutex_expire": 30,
        },
        broker_connection_retry_on_startup=True,
        # Keep retrying the broker for ever: a worker must outlive a Redis restart on its own.
        broker_connection_max_retries=None,
        # JSON only: no pickle from the broker, and payloads stay readable (ids only).
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_ignore_result=True,
        task_soft_time_limit=DEFAULT_TIME_LIMITS[0],
        task_time_limit=DEFAULT_TIME_LIMITS[1],
        task_annotations={
            **{task: _limits(task) for task in TASK_TIME_LIMITS},
            # A message's fifth failure is its last: shared/dead_letters.py takes it from there.
            **{task: {**_limits(task), "max_retries": MAX_ATTEMPTS - 1} for task in MESSAGE_TYPES},
        },
        task_routes={name: {"queue": m.queue} for name, m in MESSAGE_TYPES.items()},
        timezone="UTC",
        enable_utc=True,
    )
    return app


def _limits(task: str) -> dict[str, int]:
    soft, hard = TASK_TIME_LIMITS.get(task, DEFAULT_TIME_LIMITS)
    return {"soft_time_limit": soft, "time_limit": hard}
