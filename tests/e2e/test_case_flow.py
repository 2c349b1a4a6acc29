"""The whole path with the real processes: intake API, outbox relay, triage worker, notify
worker and scheduler, over real PostgreSQL and Redis, with a real SMTP server at the end."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from tests.e2e.system import RunningSystem
from tests.fixtures.smtp import SmtpSink
from tests.integration.auth_helpers import staff_headers
from tests.integration.helpers import patient_payload, twisted_ankle_history

pytestmark = pytest.mark.e2e


def test_a_submitted_form_is_routed_followed_up_and_the_reminder_arrives_by_email(
    system: RunningSystem, smtp_sink: SmtpSink, engine
):
    api = system.api
    desk = staff_headers(api, engine, "front_desk")
    clinician = staff_headers(api, engine, "clinician")
    admin = staff_headers(api, engine, "admin")
    patient = api.post("/patients", json=patient_payload(given_name="Lucia"),
                       headers=desk).json()["patient"]
    case = api.post("/cases", json={"patient_id": patient["id"],
                                    "history": twisted_ankle_history()}, headers=desk).json()

    routed = system.wait_for(lambda: _decided(api, case["id"], clinician), 15,
                             "the case to be routed")
    assert routed["queue_entry"]["queue"] == routed["decision"]["queue"]
    queue = api.get(f"/queues/{routed['decision']['queue']}/cases", headers=clinician).json()
    assert case["id"] in [item["case_id"] for item in queue["items"]]

    # The first check-in is due in days, so with the real clock nothing is sent yet.
    system.wait_for(lambda: _follow_ups_scheduled(engine, case["id"]), 10, "follow-ups")
    assert smtp_sink.to(patient["email"]) == []

    # Advance the notify worker's clock past the first due date through configuration.
    plan = routed["decision"]["outcome"]["follow_up_plan"]
    first_due_days = min(s["after_days"] for s in plan if s["kind"] != "staff_alert")
    system.stop("notify")
    system.start("notify", CLINIC_CLOCK_OFFSET_SECONDS=str((first_due_days + 1) * 86400))
    [mail] = system.wait_for(lambda: smtp_sink.to(patient["email"]), 30, "the reminder email")
    body = mail.get_payload(decode=True).decode()
    assert "Lucia" in body and "/check-in" in body
    expected = {("create", "Patient", "front_desk"), ("create", "Case", "front_desk"),
                ("create", "TriageDecision", "system"), ("read", "Case", "clinician"),
                ("read", "QueueEntry", "clinician"), ("disclose", "FollowUp", "system")}
    # The reminder's audit row commits just after the email leaves.
    system.wait_for(lambda: audit_trail(api, admin, patient["id"]) >= expected, 10,
                    "every read and write of the patient's data in the audit trail")


def audit_trail(api: httpx.Client, admin: dict, patient_id: str) -> set[tuple[str, str, str]]:
    """As the accounting of disclosures lists it: the queue listing's read is one event for
    the whole list, which names this patient's queue entry among the records it showed."""
    events = api.get(f"/patients/{patient_id}/audit-events", headers=admin).json()
    return {(e["action"], e["resource_type"], e["actor_role"]) for e in events}


def _decided(api: httpx.Client, case_id: str, headers: dict) -> dict | None:
    detail = api.get(f"/cases/{case_id}", headers=headers).json()
    return detail if detail["decision"] and detail["queue_entry"] else None


def _follow_ups_scheduled(engine, case_id: str) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(text("SELECT count(*) FROM follow_ups WHERE case_id = :c"),
                                 {"c": case_id}).scalar())
