"""Dead letters: task messages given up on, kept in PostgreSQL where staff can see them.

Every redelivery of a message is counted per message id in Redis before the task runs (a crash
cannot skip the count). A first delivery is not: it costs nothing to count (kombu marks a
message `redelivered` when it puts it back after a lost worker, by reject or by the visibility
timeout), and two Redis round trips on every task were a seventh of the triage worker's time
(bench profile). A message is dead-lettered when it has failed for good:
- it raised an error that is not retried (a bug or bad data: running it again cannot help), or
  its transient retries ran out (MAX_ATTEMPTS deliveries);
- or it was delivered MAX_ATTEMPTS times without ever finishing (each time its worker died, or
  it was killed at its hard time limit):
  the next delivery is recorded here and acknowledged, so one poison message cannot keep
  killing workers and hold up the queue.
Periodic tasks (no message contract) are not dead-lettered: the next period runs them again.
"""

from __future__ import annotations

import logging
import uuid

import redis
from celery import Task
from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from shared.clock import utcnow
from shared.contracts import MESSAGE_TYPES
from shared.db import make_sync_engine
from shared.models import DeadLetter
from shared.observability.metrics import DEAD_LETTERED
from shared.per_process import PerProcess
from shared.settings import get_settings

log = logging.getLogger("dead_letters")

MAX_ATTEMPTS = 5
COUNTER_TTL_SECONDS = 7 * 24 * 3600
CRASHED = ("WorkerLost", f"delivered {MAX_ATTEMPTS} times; its worker died each time")


def describe(exc: BaseException) -> str:
    """A fixed description of an error: exception texts can quote patient data, these cannot."""
    if isinstance(exc, DBAPIError):
        code = getattr(exc.orig, "sqlstate", None) or "unknown"
        return f"database error (SQLSTATE {code})"
    if isinstance(exc, SoftTimeLimitExceeded):
        return "the task ran past its time limit"
    return "the task raised an error; the worker log has it under this message id"


class _Tracker:
    """Redis delivery counter and dead-letter writer of one worker process (built after fork)."""

    def __init__(self) -> None:
        settings = get_settings()
        self.redis = redis.Redis.from_url(settings.redis_url, socket_timeout=2,
                                          socket_connect_timeout=2)
        self.engine: Engine = make_sync_engine(settings, pool_size=1, max_overflow=1)

    def begin(self, message_id: str) -> int:
        key = f"clinic:deliveries:{message_id}"
        try:
            with self.redis.pipeline() as pipe:
                count, _ = pipe.incr(key).expire(key, COUNTER_TTL_SECONDS).execute()
            return int(count)
        except redis.RedisError:  # counting is a safeguard; never block work on it
            return 1

    def forget(self, message_id: str) -> None:
        try:
            self.redis.delete(f"clinic:deliveries:{message_id}")
        except redis.RedisError:
            pass  # the counter expires on its own

    def record(self, task_name: str, message_id: str, payload: dict, error_type: str,
               error_message: str, attempts: int) -> None:
        now = utcnow()
        row = {"message_id": uuid.UUID(message_id), "task_name": task_name,
               "payload": payload, "error_type": error_type[:128],
               "error_message": error_message[:200], "attempts": attempts,
               "first_failed_at": now, "last_failed_at": now}
        statement = insert(DeadLetter).values(**row).on_conflict_do_update(
            index_elements=["message_id"],
            set_={k: row[k] for k in ("error_type", "error_message", "attempts",
                                      "last_failed_at")})
        try:
            with self.engine.begin() as conn:
                conn.execute(statement)
        except SQLAlchemyError as exc:
            # Nowhere left to put it: the log line (ids only) is the last trace.
            log.error("could not dead-letter %s %s (%s)", task_name, message_id,
                      type(exc).__name__)
            return
        self.forget(message_id)
        DEAD_LETTERED.labels(task_name).inc()
        log.error("dead-lettered %s %s after %d attempts: %s", task_name, message_id, attempts,
                  error_type)


tracker = PerProcess(_Tracker)


class TrackedTask(Task):
    """Base class of every task (shared/messaging.py sets it)."""

    def __call__(self, *args, **kwargs):
        tracked = self.name in MESSAGE_TYPES and self.request.id and not self.request.is_eager
        if not tracked or not (self.request.delivery_info or {}).get("redelivered"):
            return super().__call__(*args, **kwargs)
        attempt = 1 + tracker().begin(self.request.id)  # the first delivery went uncounted
        if attempt > MAX_ATTEMPTS:
            tracker().record(self.name, self.request.id, kwargs, *CRASHED, MAX_ATTEMPTS)
            return None  # acknowledged: the queue moves on
        result = super().__call__(*args, **kwargs)
        tracker().forget(self.request.id)
        return result

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        if isinstance(exc, TimeLimitExceeded):
            return  # killed at its hard limit: the message goes back and is counted (messaging.py)
        if self.name in MESSAGE_TYPES and task_id:
            attempts = max(1, min(self.request.retries + 1, MAX_ATTEMPTS))
            tracker().record(self.name, task_id, kwargs, type(exc).__name__, describe(exc),
                             attempts)
