"""Celery entry points of the triage service: parse the message, run the use case, commit."""

from __future__ import annotations

import logging

from sqlalchemy.exc import InterfaceError, OperationalError

from services.triage.service import triage_case
from services.triage.worker import app, engine
from shared.clock import utcnow
from shared.contracts import TriageCase
from shared.db import sync_session

log = logging.getLogger("triage.tasks")

# Only a lost or refused database connection is worth retrying; anything else is a bug or bad
# data and must fail loudly rather than loop.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@app.task(
    name=TriageCase.task_name,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=5,
)
def evaluate_case(**payload) -> None:
    message = TriageCase.model_validate(payload)
    with sync_session(engine()) as session, session.begin():
        decision = triage_case(session, message, utcnow())
    if decision is not None:
        log.info("case %s routed to %s (%s) by decision %s", message.case_id, decision.queue,
                 decision.urgency, decision.id)
