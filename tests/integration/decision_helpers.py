"""Builders for the tests of people's decisions standing: triage run by hand, check-ins owed to
a patient, and where a case is placed now."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import text
from sqlmodel import select

from services.triage.service import triage_case
from shared.clock import utcnow
from shared.contracts import TriageCase
from shared.db import sync_session
from shared.models import FollowUp, TriageDecision
from shared.patient_links import PatientLink, sign_link
from tests.integration.auth_helpers import bearer


def triage(engine, case_id: str, reason: str, now: datetime | None = None) -> TriageDecision:
    with sync_session(engine) as session, session.begin():
        decision = triage_case(session.connection(), TriageCase(
            message_id=uuid.uuid4(), case_id=uuid.UUID(case_id), reason=reason), now or utcnow())
    assert decision is not None
    return decision


def owed_check_in(engine, case_id: str) -> uuid.UUID:
    """A check-in reminder sent for the case's latest decision; its id, for a link."""
    with sync_session(engine) as session, session.begin():
        decision_id = session.exec(
            select(TriageDecision.id).where(TriageDecision.case_id == uuid.UUID(case_id))
            .order_by(TriageDecision.decided_at.desc())).first()
        follow_up = FollowUp(case_id=uuid.UUID(case_id), decision_id=decision_id,
                             step=int(uuid.uuid4().int % 10_000) + 100, kind="check_in",
                             purpose="How is the ankle?", status="sent")
        session.add(follow_up)
    return follow_up.id


def check_in_link(settings, patient_id: str, case_id: str, follow_up_id: uuid.UUID) -> str:
    return sign_link(settings.secret_key, PatientLink(
        patient_id=uuid.UUID(patient_id), purpose="check_in", case_id=uuid.UUID(case_id),
        follow_up_id=follow_up_id))


def check_in_headers(settings, patient_id: str, case_id: str,
                     follow_up_id: uuid.UUID) -> dict[str, str]:
    return bearer(check_in_link(settings, patient_id, case_id, follow_up_id))


def placement_of(engine, case_id: str):
    """The case's queue entry: queue, urgency, the decision it follows, and the engine
    decision waiting for a clinician, if any."""
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT q.queue, q.urgency, q.decision_id, q.review_decision_id, d.source "
            "FROM queue_entries q JOIN triage_decisions d ON d.id = q.decision_id "
            "WHERE q.case_id = :c"), {"c": case_id}).one()


def messages(engine, task_name: str, case_id: str) -> list[dict]:
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(text(
            "SELECT payload FROM outbox_messages WHERE task_name = :t "
            "AND payload->>'case_id' = :c ORDER BY id"), {"t": task_name, "c": case_id})]
