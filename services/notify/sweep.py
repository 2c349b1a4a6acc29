"""The periodic sweep task. The notify scheduler (Celery beat) sends it, the notify worker runs
it: beat is already the system's one clock for periodic work, so the sweep needs no process of
its own, and a second scheduler by mistake is harmless (the sweep claims with SKIP LOCKED).

It also keeps records for as long as the settings say (shared/retention.py,
shared/audit_partitions.py), each step in its own transaction: a partition change waiting for
its lock must not undo the purges, nor the re-published work.
"""

from __future__ import annotations

import logging
from dataclasses import astuple
from datetime import datetime

from psycopg.errors import LockNotAvailable
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from services.notify import dispatcher
from services.notify.service import NotifyConfig
from services.notify.worker import SWEEP_TASK, app, engine
from shared import audit_partitions, retention
from shared.clock import utcnow
from shared.db import sync_session
from shared.settings import Settings, get_settings
from shared.sweeper import sweep

log = logging.getLogger("notify.sweep")


@app.task(name=SWEEP_TASK, shared=False)
def sweep_stalled_work() -> None:
    settings = get_settings()
    with sync_session(engine()) as session, session.begin():
        result = sweep(session, settings, utcnow())
    if result.cases_republished:
        log.warning("sweep: %d cases awaiting triage past the deadline were re-sent",
                    result.cases_republished)
    if result.follow_ups_overdue:
        # The dispatcher has fallen behind or its messages were lost: run one batch now.
        log.warning("sweep: %d follow-ups overdue; dispatching", result.follow_ups_overdue)
        with dispatcher.open_channels(settings) as channels:
            dispatcher.dispatch_due(engine(), channels, NotifyConfig.from_settings(settings),
                                    utcnow(), settings.dispatch_batch_size)
    keep_records(engine(), settings, utcnow())


def keep_records(db: Engine, settings: Settings, now: datetime) -> None:
    with db.begin() as conn:
        purged = retention.purge_expired(conn, settings, now)
    if any(astuple(purged)):
        log.info("retention: deleted %s", purged)
    try:
        with db.begin() as conn:
            changes = audit_partitions.maintain(
                conn, now, ahead_months=settings.audit_partitions_ahead_months,
                retention_months=settings.audit_retention_months)
    except OperationalError as error:
        if not isinstance(error.orig, LockNotAvailable):
            raise
        log.warning("audit partitions: the trail was busy; trying again at the next sweep")
        return
    if changes.created or changes.dropped:
        log.info("audit partitions: created %s, dropped %s", changes.created, changes.dropped)
