"""Alerts to clinicians: at once for an emergency decision or an escalation (a re-triage that a
clinician must decide, services/triage/route_guard.py), and when a case waits past its
urgency's target. Recipients are the clinicians on duty (or the case's owner for a claimed
case, or for an escalation the clinician who set the route); with nobody on duty every active
clinician is alerted, never nobody. One alert per case and reason until a clinician
acknowledges it; a breach repeats at most every CLINIC_BREACH_ALERT_REPEAT_SECONDS.

Alerts carry the case id and a link to the board, nothing clinical: email is not private.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from services.notify.channels.base import Channel, DeliveryError
from services.notify.messages import RenderedMessage
from services.notify.repository import RoutedDecision
from shared.models import (
    OPEN_QUEUE_STATUSES,
    QueueEntry,
    Role,
    StaffAlert,
    TriageDecision,
    User,
)

MAX_ATTEMPTS = 5
SUBJECTS = {"emergency": "Emergency case needs a clinician now",
            "breach": "A case has waited past its target",
            "escalation": "A re-triage needs your decision",
            "recovery": "A patient's recovery is behind the expected course"}


def _clinicians(session: Session, *preferred: str | None) -> list[User]:
    """The first of `preferred` (user ids) who is an active clinician, else those on duty."""
    active = select(User).where(User.role == Role.CLINICIAN, col(User.is_active))
    for user_id in filter(None, preferred):
        owner = session.exec(active.where(User.id == uuid.UUID(user_id))).first()
        if owner:
            return [owner]
    on_duty = session.exec(active.where(col(User.on_duty))).all()
    return list(on_duty) or list(session.exec(active).all())


def _lock(session: Session, kind: str, case_id: uuid.UUID) -> None:
    """Serialises deciding whether to alert for this case and reason (two sweeps, or a sweep
    and an event, at once) until the transaction ends."""
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                    {"key": f"staff-alert:{kind}:{case_id}"})


def _insert(session: Session, kind: str, case_id: uuid.UUID, decision_id: uuid.UUID,
            recipients: list[User], now: datetime) -> None:
    session.exec(insert(StaffAlert).values([
        {"id": uuid.uuid4(), "kind": kind, "case_id": case_id, "decision_id": decision_id,
         "recipient_id": user.id, "status": "pending", "attempts": 0, "created_at": now}
        for user in recipients]).on_conflict_do_nothing())


def _add(session: Session, kind: str, case_id: uuid.UUID, decision_id: uuid.UUID,
         recipients: list[User], now: datetime) -> None:
    """An event alert, unless one of this kind for this case is still unacknowledged: one
    emergency produced an alert per re-triage (several decisions) before."""
    if not recipients:
        return
    _lock(session, kind, case_id)
    unacknowledged = session.exec(
        select(StaffAlert.id).where(StaffAlert.case_id == case_id, StaffAlert.kind == kind,
                                    col(StaffAlert.acknowledged_at).is_(None)).limit(1)).first()
    if unacknowledged is None:
        _insert(session, kind, case_id, decision_id, recipients, now)


def alert_if_emergency(session: Session, decision: RoutedDecision | TriageDecision,
                       now: datetime) -> bool:
    """Queues the on-duty clinicians' alert for an emergency route; True when it did."""
    if decision.urgency != "emergency":
        return False
    _add(session, "emergency", decision.case_id, decision.id, _clinicians(session), now)
    return True


def alert_escalation(session: Session, case_id: uuid.UUID, decision_id: uuid.UUID,
                     now: datetime, kind: str = "escalation") -> None:
    """Queues the alert for an engine decision the case's route did not follow (or, as kind
    "recovery", for scores behind the expected course): to the clinician working the case,
    else the one who set its route, else those on duty."""
    row = session.exec(
        select(QueueEntry.owner_id, TriageDecision.author_id)
        .join(TriageDecision, col(TriageDecision.id) == col(QueueEntry.decision_id))
        .where(QueueEntry.case_id == case_id)).first()
    owner_id, author_id = row if row else (None, None)
    author = author_id.removeprefix("user:") if author_id and author_id.startswith("user:") \
        else None
    _add(session, kind, case_id, decision_id, _clinicians(session, owner_id, author), now)


def alert_breaches(session: Session, now: datetime, repeat_after: timedelta,
                   limit: int = 200) -> int:
    """Alerts for open cases past their target: at most one per case every `repeat_after`
    (the sweep runs every few seconds, and each re-triage gave the wait a new decision), and
    none once a clinician has acknowledged this wait's alert. The number of cases alerted."""
    breached = session.exec(
        select(QueueEntry)
        .where(col(QueueEntry.status).in_(OPEN_QUEUE_STATUSES), QueueEntry.due_at < now)
        .order_by(col(QueueEntry.due_at)).limit(limit)).all()
    alerted = 0
    for entry in breached:
        _lock(session, "breach", entry.case_id)
        earlier = select(StaffAlert.id).where(StaffAlert.case_id == entry.case_id,
                                              StaffAlert.kind == "breach")
        recent = session.exec(earlier.where(StaffAlert.created_at > now - repeat_after)
                              .limit(1)).first()
        acknowledged = session.exec(earlier.where(
            StaffAlert.decision_id == entry.decision_id,
            col(StaffAlert.acknowledged_at).is_not(None)).limit(1)).first()
        recipients = _clinicians(session, entry.owner_id)
        if recent is None and acknowledged is None and recipients:
            _insert(session, "breach", entry.case_id, entry.decision_id, recipients, now)
            alerted += 1
    return alerted


def send_pending(session: Session, channel: Channel, board_url: str, now: datetime,
                 limit: int = 100) -> int:
    pending = session.exec(
        select(StaffAlert, User.email).join(User, col(User.id) == col(StaffAlert.recipient_id))
        .where(StaffAlert.status == "pending").order_by(col(StaffAlert.created_at))
        .limit(limit).with_for_update(skip_locked=True, of=StaffAlert)).all()
    sent = 0
    for alert, email in pending:
        message = RenderedMessage(subject=SUBJECTS[alert.kind], body=(
            f"Case {alert.case_id} needs attention ({alert.kind}).\n\nOpen the queue board: "
            f"{board_url}\n\nClaim the case, or acknowledge the alert on its page, and no "
            f"more alerts of this kind are sent for it.\n"))
        try:
            channel.send(email, message, idempotency_key=f"alert-{alert.id}")
        except DeliveryError as problem:
            alert.attempts += 1
            alert.last_error = problem.reason[:200]
            alert.status = "failed" if alert.attempts >= MAX_ATTEMPTS or not problem.transient \
                else "pending"
        else:
            alert.attempts += 1
            alert.status, alert.sent_at = "sent", now
            sent += 1
        session.add(alert)
    return sent
