"""The triage use case: evaluate a case with the engine, store the decision, queue the case."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlmodel import Session

from services.triage import repository
from services.triage.case_input import build_case_input, snapshot
from services.triage.engine import Decision, evaluate
from shared.audit import SYSTEM_TRIAGE, record_audit
from shared.contracts import CaseRouted, TriageCase
from shared.models import Case, CaseStatus, TriageDecision
from shared.outbox import add_to_outbox
from shared.queue_placement import place_on_queue

log = logging.getLogger("triage.service")
FIRST_TRIAGE = frozenset({"intake_submitted", "sweep"})


def triage_case(session: Session, message: TriageCase, now: datetime) -> TriageDecision | None:
    """Decides the case as of `now`. Returns the new decision, or None when this message was
    already handled (or names no case that can be triaged)."""
    case = repository.lock_case(session, message.case_id)
    if case is None:
        log.warning("triage requested for unknown case %s; dropped", message.case_id)
        return None
    if repository.decision_for_request(session, message.message_id) is not None:
        return None  # a redelivered message: its decision already exists
    if message.reason in FIRST_TRIAGE and case.status != CaseStatus.AWAITING_TRIAGE:
        # The form's request (or the sweeper's nudge standing in for a lost one) arrived after
        # another copy of it already routed the case: the work is done.
        return None
    stored = repository.stored_case(session, case)
    if stored is None:
        log.warning("case %s has no intake answers; nothing to triage", case.id)
        return None
    case_input = build_case_input(stored, now)
    decision = _store_decision(session, case, message, evaluate(case_input),
                               snapshot(case_input), now)
    _route(session, case, decision, now)
    return decision


def _store_decision(session: Session, case: Case, message: TriageCase, outcome: Decision,
                    inputs: dict, now) -> TriageDecision:
    row = TriageDecision(
        case_id=case.id,
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
    session.add(row)
    session.flush()
    record_audit(session, SYSTEM_TRIAGE, "create", "TriageDecision", row.id,
                 patient_id=case.patient_id)
    return row


def _route(session: Session, case: Case, decision: TriageDecision, now) -> None:
    session.exec(place_on_queue(case.id, decision.id, decision.queue,
                                decision.imaging_modality, decision.urgency, now))
    case.status = CaseStatus.ROUTED
    case.updated_at = now
    session.add(case)
    add_to_outbox(session, CaseRouted(message_id=uuid.uuid4(), case_id=case.id,
                                      decision_id=decision.id))
