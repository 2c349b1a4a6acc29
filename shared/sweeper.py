"""The sweeper: finds work whose effect has not appeared in time and asks for it again.

A message can vanish (a Redis restart without its append-only file, a worker gone for good);
the database still says what is owed. Each sweep claims a bounded batch with SKIP LOCKED, so
two schedulers running at once never republish the same case twice.

- A case still awaiting triage past the deadline, with no triage request pending or recent in
  the outbox, gets a fresh TriageCase (reason "sweep") written to the outbox.
- Follow-ups due but unsent well past their next attempt are counted; the caller nudges the
  dispatcher (a dispatch claims each follow-up under a lock, so a nudge never sends twice).
- Idempotency-Key records past their time to live are deleted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlmodel import Session

from shared.contracts import TriageCase
from shared.outbox import add_to_outbox
from shared.settings import Settings

_STALLED_CASES = text("""
    SELECT c.id FROM cases c
    WHERE c.status = 'awaiting_triage' AND c.updated_at < :cutoff
      AND NOT EXISTS (
          SELECT 1 FROM outbox_messages o
          WHERE o.task_name = :task AND o.payload->>'case_id' = c.id::text
            AND (o.published_at IS NULL OR o.created_at >= :cutoff))
    ORDER BY c.updated_at LIMIT :limit
    FOR UPDATE OF c SKIP LOCKED
""")
_OVERDUE_FOLLOW_UPS = text(
    "SELECT count(*) FROM follow_ups WHERE status = 'scheduled' AND next_attempt_at < :cutoff")
_EXPIRED_KEYS = text("""
    DELETE FROM idempotency_keys WHERE id IN (
        SELECT id FROM idempotency_keys WHERE created_at < :cutoff LIMIT :limit)
""")


@dataclass(frozen=True)
class SweepResult:
    cases_republished: int
    follow_ups_overdue: int
    idempotency_keys_deleted: int


def sweep(session: Session, settings: Settings, now: datetime, limit: int = 200) -> SweepResult:
    """One bounded sweep inside the caller's transaction (the caller commits)."""
    conn = session.connection()
    cutoff = now - timedelta(seconds=settings.triage_sweep_after_seconds)
    stalled = conn.execute(_STALLED_CASES, {"cutoff": cutoff, "task": TriageCase.task_name,
                                            "limit": limit}).scalars().all()
    for case_id in stalled:
        add_to_outbox(session, TriageCase(message_id=uuid.uuid4(), case_id=case_id,
                                          reason="sweep"))
    overdue = conn.execute(_OVERDUE_FOLLOW_UPS, {
        "cutoff": now - timedelta(seconds=settings.follow_up_sweep_after_seconds)}).scalar_one()
    deleted = conn.execute(_EXPIRED_KEYS, {
        "cutoff": now - timedelta(hours=settings.idempotency_key_ttl_hours),
        "limit": limit}).rowcount
    return SweepResult(len(stalled), overdue, deleted)
