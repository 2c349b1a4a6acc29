"""Publishes committed outbox rows to Redis. Run as `python -m shared.outbox.relay`.

Rows are claimed with FOR UPDATE SKIP LOCKED, so several relays can run side by side without
publishing a row twice in the normal case. If the commit after a publish fails, the row is
published again later: delivery is at-least-once and every consumer is idempotent.
"""

from __future__ import annotations

import logging
import select
import signal
import time

import psycopg
from celery import Celery
from sqlalchemy import Engine, text

from shared import heartbeats
from shared.clock import utcnow
from shared.db import make_sync_engine
from shared.logging import configure_logging
from shared.memory import set_aside_startup_objects
from shared.messaging import make_celery
from shared.observability import log_format, tracing, worker_metrics
from shared.observability.metrics import OUTBOX_CREATED_AT, OUTBOX_PUBLISHED
from shared.settings import Settings, get_settings

log = logging.getLogger("outbox.relay")

CLAIM_BATCH = text(
    """
    SELECT id, message_id, task_name, queue, payload, headers, created_at FROM outbox_messages
    WHERE published_at IS NULL ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED
    """
)
MARK_PUBLISHED = text(
    "UPDATE outbox_messages SET published_at = :now, attempts = attempts + 1 WHERE id = ANY(:ids)"
)


BATCH_SIZE = 200


def publish_pending(engine: Engine, celery: Celery, batch_size: int = BATCH_SIZE) -> int:
    """Publish one batch of unpublished rows; returns how many were published."""
    with engine.begin() as conn:
        rows = conn.execute(CLAIM_BATCH, {"limit": batch_size}).all()
        if not rows:
            return 0
        with celery.producer_or_acquire() as producer:
            for row in rows:
                # The trace the row was written in goes on with the message; its creation
                # time too (the triage worker times submit-to-routed from it).
                with tracing.publishing(row.headers, row.task_name, row.queue) as headers:
                    celery.send_task(
                        row.task_name,
                        kwargs=row.payload,
                        queue=row.queue,
                        task_id=str(row.message_id),
                        producer=producer,
                        headers={**headers, OUTBOX_CREATED_AT: row.created_at.isoformat()},
                    )
                OUTBOX_PUBLISHED.labels(row.queue).inc()
        conn.execute(MARK_PUBLISHED, {"now": utcnow(), "ids": [r.id for r in rows]})
    log.info("published %d outbox messages", len(rows))
    return len(rows)


class Relay:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.engine = make_sync_engine(settings, pool_size=2)
        self.celery = make_celery("outbox-relay", settings)
        self.stopping = False
        self._listener: psycopg.Connection | None = None

    def stop(self, *_args) -> None:
        self.stopping = True

    def run_forever(self) -> None:
        backoff = 0.5
        while not self.stopping:
            try:
                # Listening before looking: a row committed after the look wakes the wait.
                # So a batch short of full needs no second look. SIGTERM lets the batch in
                # hand finish (publish, then mark), then stops.
                self._listen()
                while not self.stopping and publish_pending(
                        self.engine, self.celery, BATCH_SIZE) == BATCH_SIZE:
                    pass
                if not self.stopping:
                    self._wait_for_notify()
                backoff = 0.5
            # Any failure (Redis, PostgreSQL, network) must not end the relay: log, back off, retry.
            except Exception as exc:  # noqa: BLE001
                log.warning("relay cycle failed (%s); retrying in %.1fs", type(exc).__name__, backoff)
                self._close_listener()
                time.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
        self._close_listener()

    def _wait_for_notify(self) -> None:
        """Sleep until a new outbox row is committed, or the poll interval passes."""
        conn = self._listen()
        ready, _, _ = select.select([conn.fileno()], [], [], self.settings.outbox_poll_seconds)
        if ready:
            for _ in conn.notifies(timeout=0):
                pass

    def _listen(self) -> psycopg.Connection:
        if self._listener is None or self._listener.closed:
            url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._listener = psycopg.connect(url, autocommit=True)
            self._listener.execute("LISTEN outbox")
        return self._listener

    def _close_listener(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None


def main() -> None:
    configure_logging()
    settings = get_settings()
    log_format.apply("relay", settings.log_format)
    tracing.configure("relay")
    if settings.metrics_port:  # a pod of its own (shared/observability/worker_metrics.py)
        worker_metrics.serve(settings.metrics_port, settings.metrics_token)
    relay = Relay(settings)
    signal.signal(signal.SIGTERM, relay.stop)
    signal.signal(signal.SIGINT, relay.stop)
    log.info("outbox relay started")
    set_aside_startup_objects()
    heartbeat = heartbeats.start("relay", relay.settings.redis_url)
    relay.run_forever()
    heartbeat.stop()
    log.info("outbox relay stopped")


if __name__ == "__main__":
    main()
