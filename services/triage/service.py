"""The triage use case: evaluate a case with the engine, store the decision, queue the case,
unless the route it is on must stand (route_guard.py says when)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy import Connection

from services.triage import repository
from services.triage.engine import Decision, evaluate
from services.triage.engine.stored_case import build_case_input, snapshot
from services.triage.recovery_check import check_recovery
from services.triage.route_guard import Route, Verdict, judge
from shared.audit import SYSTEM_TRIAGE, audit_event
from shared.contracts import CaseEscalated, CaseRouted, TriageCase
from shared.models import CaseStatus, TriageDecision
from shared.outbox import outbox_row
from shared.statements import new_row

log = logging.getLogger("triage.service")
FIRST_TRIAGE = frozenset({"intake_submitted", "sweep"})


def triage_case(connection: Connection, message: TriageCase,
                now: datetime) -> TriageDecision | None:
    """Decides the case as of `now`, in the caller's transaction. Returns the new decision,
    or None when this message was already handled (or names no case that can be triaged)."""
    case = repository.case_for_triage(connection, message.case_id, message.message_id)
    if case is None:
        log.warning("triage requested for unknown case %s; dropped", message.case_id)
        return None
    if case.already_decided:
        return None  # a redelivered message: its decision already exists
    if message.reason in FIRST_TRIAGE and case.status != CaseStatus.AWAITING_TRIAGE:
        # The form's request (or the sweeper's nudge standing in for a lost one) arrived after
        # another copy of it already routed the case: the work is done.
        return None
    if case.stored is None:
        log.warning("case %s has no intake answers; nothing to triage", case.id)
        return None
    case_input = build_case_input(case.stored, now)
    decision = _decision_row(case.id, message, evaluate(case_input), snapshot(case_input), now)
    audit = audit_event(SYSTEM_TRIAGE, "create", "TriageDecision", decision["id"],
                        patient_id=case.patient_id)
    verdict = judge(case.route, Route(queue=decision["queue"], urgency=decision["urgency"]))
    if verdict is Verdict.PLACE:
        repository.store_decision(
            connection, decision, audit=audit,
            announcement=outbox_row(CaseRouted(message_id=uuid.uuid4(), case_id=case.id,
                                               decision_id=decision["id"])),
            now=now)
    else:
        # No "case routed": the follow-up plan and the patient's next steps stay the route's.
        escalation = outbox_row(CaseEscalated(message_id=uuid.uuid4(), case_id=case.id,
                                              decision_id=decision["id"])) \
            if verdict is Verdict.KEEP_AND_ESCALATE else None
        repository.store_kept_decision(connection, decision, audit, escalation)
    if message.reason == "follow_up_answered":
        check_recovery(connection, case.id, decision["id"])
    return TriageDecision(**decision)


def _decision_row(case_id: uuid.UUID, message: TriageCase, outcome: Decision, inputs: dict,
                  now: datetime) -> dict:
    return new_row(
        TriageDecision,
        case_id=case_id,
        request_id=message.message_id,
        trigger=message.reason,
        queue=outcome.queue.value,
        imaging_modality=outcome.imaging_modality.value if outcome.imaging_modality else None,
        urgency=outcome.urgency.value,
        needs_clinician_review=outcome.needs_clinician_review,
        ruleset_version=outcome.ruleset_version,
        ruleset_hash=outcome.ruleset_hash,
        inputs=inputs,
        outcome=outcome.to_dict(),
        decided_at=now,
    )
