"""Cases on a queue, for the tests of what the queue views show and what they audit."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from services.triage.service import triage_case
from shared.clock import utcnow
from shared.contracts import TriageCase
from shared.db import sync_session
from tests.integration.helpers import create_patient, submit_intake


def triaged(client, engine, patient_id: str | None = None) -> dict:
    """A case (of a new patient unless one is given) that the engine has put on a queue: its
    id, patient_id, entry_id, queue and modality."""
    patient_id = patient_id or create_patient(client)["id"]
    case = submit_intake(client, patient_id)
    with sync_session(engine) as session, session.begin():
        decision = triage_case(session.connection(), TriageCase(
            message_id=uuid.uuid4(), case_id=uuid.UUID(case["id"]), reason="intake_submitted"),
            utcnow())
    with engine.connect() as conn:
        entry_id = conn.execute(text("SELECT id FROM queue_entries WHERE case_id = :c"),
                                {"c": case["id"]}).scalar()
    return {"id": case["id"], "patient_id": patient_id, "entry_id": str(entry_id),
            "queue": decision.queue, "modality": decision.imaging_modality}
