"""Follow-ups that never reached the patient: the staff's failed-deliveries list (intake's
follow-ups page) over the deliveries the notify service records."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session


@dataclass(frozen=True)
class FailedDelivery:
    """One row of the list: ids and reason codes, no patient data but whose it is."""

    follow_up_id: uuid.UUID
    case_id: uuid.UUID
    patient_id: uuid.UUID
    channel: str | None
    attempts: int
    last_error: str | None
    last_attempt_at: datetime | None


# The last failed attempt of each failed follow-up: its channel and reason code.
_FAILED = text("""
    SELECT f.id AS follow_up_id, f.case_id, c.patient_id, d.channel, f.attempts,
           d.error AS last_error, d.attempted_at AS last_attempt_at
    FROM follow_ups f
    JOIN cases c ON c.id = f.case_id
    LEFT JOIN LATERAL (
        SELECT channel, error, attempted_at FROM deliveries
        WHERE follow_up_id = f.id AND status <> 'sent'
        ORDER BY attempted_at DESC, attempt DESC LIMIT 1
    ) d ON true
    WHERE f.status = 'failed'
    ORDER BY d.attempted_at DESC NULLS LAST, f.id
    LIMIT :limit
""")


def failed_deliveries(session: Session, limit: int = 100) -> list[FailedDelivery]:
    """Follow-ups that never reached the patient, most recent failure first."""
    return [FailedDelivery(**row._mapping)
            for row in session.connection().execute(_FAILED, {"limit": limit})]
