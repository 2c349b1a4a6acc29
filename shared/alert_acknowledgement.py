"""A clinician acknowledging a case's staff alerts: by claiming the case, or on its page.

An acknowledged alert stops the alerts of its kind for that case: no new emergency or
escalation alert until a new one is raised after it, and no further breach alert for that
wait (services/notify/staff_alerts.py). Intake writes it; notify reads it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.sql.dml import Update
from sqlmodel import col

from shared.models import StaffAlert


def acknowledge_alerts(case_id: uuid.UUID, user_id: uuid.UUID, at: datetime) -> Update:
    return (update(StaffAlert)
            .where(col(StaffAlert.case_id) == case_id, col(StaffAlert.acknowledged_at).is_(None))
            .values(acknowledged_at=at, acknowledged_by=user_id))
