"""Notify use cases: turn a routed case's follow-up plan into reminders, and send due ones."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from services.notify import repository
from services.notify.channels.email import EmailChannel
from services.notify.messages import render
from services.notify.schedule import plan_follow_ups
from shared.audit import SYSTEM_NOTIFY, record_audit
from shared.contracts import CaseRouted
from shared.models import Delivery, FollowUp, FollowUpStatus

log = logging.getLogger("notify.service")


def schedule_follow_ups(session: Session, message: CaseRouted) -> int:
    decision = repository.decision(session, message.decision_id)
    if decision is None:
        log.warning("case routed with unknown decision %s; dropped", message.decision_id)
        return 0
    planned = plan_follow_ups(decision.decided_at, decision.outcome.get("follow_up_plan", []))
    repository.cancel_open_follow_ups(session, decision.case_id, keep_decision=decision.id)
    return repository.add_follow_ups(session, decision.case_id, decision.id, planned)


def dispatch_due(session: Session, channel: EmailChannel, public_url: str, limit: int,
                 now: datetime) -> int:
    """Send every follow-up due at `now` that this dispatcher could claim; returns how many."""
    sent = 0
    for follow_up in repository.claim_due(session, now, limit):
        sent += _deliver(session, channel, public_url, follow_up, now)
    return sent


def _deliver(session: Session, channel: EmailChannel, public_url: str, follow_up: FollowUp,
             now: datetime) -> int:
    patient = repository.recipient(session, follow_up)
    if not patient.email:
        _finish(session, follow_up, FollowUpStatus.FAILED, "no email address on record", now)
        return 0
    message = render("check_in", patient.preferred_language, given_name=patient.given_name,
                     link=f"{public_url}/check-ins/{follow_up.id}")
    try:
        channel.send(patient.email, message.subject, message.body)
    except OSError as exc:  # SMTP refused or unreachable: record it, retry on the next dispatch
        session.add(Delivery(follow_up_id=follow_up.id, channel=channel.name, status="failed",
                             error=type(exc).__name__, attempted_at=now))
        log.warning("follow-up %s delivery failed: %s", follow_up.id, type(exc).__name__)
        return 0
    _finish(session, follow_up, FollowUpStatus.SENT, None, now)
    record_audit(session, SYSTEM_NOTIFY, "disclose", "FollowUp", follow_up.id,
                 patient_id=patient.id)
    return 1


def _finish(session: Session, follow_up: FollowUp, status: str, error: str | None,
            now: datetime) -> None:
    session.add(Delivery(follow_up_id=follow_up.id, channel="email",
                         status="sent" if status == FollowUpStatus.SENT else "failed",
                         error=error, attempted_at=now))
    follow_up.status = status
    follow_up.sent_at = now if status == FollowUpStatus.SENT else None
    session.add(follow_up)
