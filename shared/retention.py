"""Retention: rows past their keeping period are deleted by the scheduler's sweep, a bounded
batch per table per run, so a backlog of months drains over several sweeps and never holds a
long lock or a long transaction.

- Published outbox messages: the relay is done with them; the sweeper looks back minutes only.
- Deliveries of follow-ups no longer scheduled: a scheduled follow-up's deliveries say which
  channels already reached the patient (the dispatcher must not send there again), so they stay.
- Staff sign-in sessions past their expiry or revocation: they sign no one in any more.

Patient links and their page sessions keep no rows: both are signed tokens, and revocation is
the patient's link generation (shared/patient_links.py), which must outlive every link.

Each batch locks its rows with SKIP LOCKED and deletes them by ctid, so two schedulers at once
delete disjoint batches and neither waits for the other. The audit trail is kept by whole
months instead (shared/audit_partitions.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, text

from shared.settings import Settings

_PUBLISHED_OUTBOX = text("""
    DELETE FROM outbox_messages WHERE ctid IN (
        SELECT ctid FROM outbox_messages WHERE published_at < :cutoff
        LIMIT :limit FOR UPDATE SKIP LOCKED)
""")
_SETTLED_DELIVERIES = text("""
    DELETE FROM deliveries WHERE ctid IN (
        SELECT d.ctid FROM deliveries d JOIN follow_ups f ON f.id = d.follow_up_id
        WHERE d.attempted_at < :cutoff AND f.status <> 'scheduled'
        LIMIT :limit FOR UPDATE OF d SKIP LOCKED)
""")
_ENDED_SIGN_INS = text("""
    DELETE FROM auth_sessions WHERE ctid IN (
        SELECT ctid FROM auth_sessions WHERE expires_at < :cutoff OR revoked_at < :cutoff
        LIMIT :limit FOR UPDATE SKIP LOCKED)
""")


@dataclass(frozen=True)
class PurgeResult:
    outbox_messages: int
    deliveries: int
    auth_sessions: int


def purge_expired(conn: Connection, settings: Settings, now: datetime,
                  limit: int | None = None) -> PurgeResult:
    """One batch per table inside the caller's transaction (the caller commits)."""
    limit = limit or settings.retention_batch_size

    def purge(statement, days: float) -> int:
        return conn.execute(statement, {"cutoff": now - timedelta(days=days),
                                        "limit": limit}).rowcount

    return PurgeResult(
        outbox_messages=purge(_PUBLISHED_OUTBOX, settings.outbox_retention_days),
        deliveries=purge(_SETTLED_DELIVERIES, settings.delivery_retention_days),
        auth_sessions=purge(_ENDED_SIGN_INS, settings.auth_session_retention_days),
    )
