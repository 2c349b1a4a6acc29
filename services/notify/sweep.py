"""The periodic sweep task. The notify scheduler (Celery beat) sends it, the notify worker runs
it: beat is already the system's one clock for periodic work, so the sweep needs no process of
its own, and a second scheduler by mistake is harmless (the sweep claims with SKIP LOCKED).
"""

from __future__ import annotations

import logging

from services.notify import dispatcher
from services.notify.service import NotifyConfig
from services.notify.worker import SWEEP_TASK, app, engine
from shared.clock import utcnow
from shared.db import sync_session
from shared.settings import get_settings
from shared.sweeper import sweep

log = logging.getLogger("notify.sweep")


@app.task(name=SWEEP_TASK)
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
