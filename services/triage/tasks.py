"""Celery entry points of the triage service: parse the message, run the use case, commit."""

from __future__ import annotations

import logging

from services.triage.replay_requests import run_requested_replay
from services.triage.service import triage_case
from services.triage.worker import app, engine
from shared.clock import utcnow
from shared.contracts import ReplayRuleSet, TriageCase
from shared.messaging import TRANSIENT_RETRY
from shared.observability.metrics import OUTBOX_CREATED_AT, observe_submit_to_routed

log = logging.getLogger("triage.tasks")

@app.task(name=TriageCase.task_name, **TRANSIENT_RETRY, shared=False)
def evaluate_case(**payload) -> None:
    message = TriageCase.model_validate(payload)
    with engine().begin() as connection:
        decision = triage_case(connection, message, utcnow())
    if decision is not None and message.reason == "intake_submitted":
        observe_submit_to_routed(evaluate_case.request.get(OUTBOX_CREATED_AT), utcnow())
    if decision is not None:
        log.info("case %s routed to %s (%s) by decision %s", message.case_id, decision.queue,
                 decision.urgency, decision.id)


@app.task(name=ReplayRuleSet.task_name, **TRANSIENT_RETRY, shared=False)
def replay_rule_set(**payload) -> None:
    message = ReplayRuleSet.model_validate(payload)
    status = run_requested_replay(engine(), message.replay_id, utcnow())
    if status is not None:
        log.info("replay %s %s", message.replay_id, status)
