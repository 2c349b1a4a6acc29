"""Celery entry points of the notify service."""

from __future__ import annotations

import logging
from datetime import timedelta

from services.notify import dispatcher, service, staff_alerts
from services.notify.service import NotifyConfig
from services.notify.worker import DISPATCH_TASK, app, engine
from shared.clock import utcnow
from shared.contracts import CaseClosed, CaseEscalated, CaseRouted, RecoveryBehind
from shared.db import sync_session
from shared.messaging import TRANSIENT_RETRY
from shared.public_paths import STAFF_BOARD
from shared.settings import get_settings

log = logging.getLogger("notify.tasks")


@app.task(name=CaseRouted.task_name, **TRANSIENT_RETRY, shared=False)
def case_routed(**payload) -> None:
    message = CaseRouted.model_validate(payload)
    with sync_session(engine()) as session, session.begin():
        routed = service.case_routed(session, message, NotifyConfig.from_settings(get_settings()),
                                     utcnow())
    log.info("case %s: %d follow-ups scheduled", message.case_id, routed.follow_ups)
    if routed.alert_now:
        _send_staff_alerts()


@app.task(name=CaseEscalated.task_name, **TRANSIENT_RETRY, shared=False)
def case_escalated(**payload) -> None:
    message = CaseEscalated.model_validate(payload)
    with sync_session(engine()) as session, session.begin():
        staff_alerts.alert_escalation(session, message.case_id, message.decision_id, utcnow())
    log.info("case %s escalated to a clinician by decision %s", message.case_id,
             message.decision_id)
    _send_staff_alerts()  # the clinician decides now, not at the next dispatch


@app.task(name=RecoveryBehind.task_name, **TRANSIENT_RETRY, shared=False)
def recovery_behind(**payload) -> None:
    message = RecoveryBehind.model_validate(payload)
    with sync_session(engine()) as session, session.begin():
        staff_alerts.alert_escalation(session, message.case_id, message.decision_id, utcnow(),
                                      kind="recovery")
    log.info("case %s behind its expected recovery; its clinician alerted", message.case_id)
    _send_staff_alerts()


@app.task(name=CaseClosed.task_name, **TRANSIENT_RETRY, shared=False)
def case_closed(**payload) -> None:
    message = CaseClosed.model_validate(payload)
    with sync_session(engine()) as session, session.begin():
        service.stop_follow_ups(session, message)
    log.info("case %s closed: open follow-ups cancelled", message.case_id)


@app.task(name=DISPATCH_TASK, shared=False)
def dispatch_due() -> None:
    # No Celery retry: a failed delivery is rescheduled in the database with its own backoff,
    # and the next periodic run picks up whatever this one could not reach.
    settings = get_settings()
    with dispatcher.open_channels(settings) as channels:
        outcomes = dispatcher.dispatch_due(engine(), channels, NotifyConfig.from_settings(settings),
                                           utcnow(), settings.dispatch_batch_size)
    if outcomes:
        log.info("dispatch: %s", dict(outcomes))
    with sync_session(engine()) as session, session.begin():
        staff_alerts.alert_breaches(session, utcnow(),
                                    timedelta(seconds=settings.breach_alert_repeat_seconds))
    _send_staff_alerts()


def _send_staff_alerts() -> None:
    settings = get_settings()
    with dispatcher.open_channels(settings) as channels, sync_session(engine()) as session, \
            session.begin():
        sent = staff_alerts.send_pending(session, channels["email"],
                                         STAFF_BOARD.url(settings.public_url), utcnow())
    if sent:
        log.info("staff alerts sent: %d", sent)
