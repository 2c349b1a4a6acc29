"""Clinicians working the queues: claims (one winner), assignments, overrides, notes, completion."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import text

from services.triage.service import triage_case
from shared.clock import utcnow
from shared.contracts import TriageCase
from shared.db import sync_session
from tests.integration.auth_helpers import bearer, make_user, sign_in
from tests.integration.helpers import create_patient, submit_intake

pytestmark = pytest.mark.integration


@pytest.fixture
def queued_case(client, engine) -> dict:
    """A triaged case; "queue" is where the engine put it."""
    case = submit_intake(client, create_patient(client)["id"])
    with sync_session(engine) as session, session.begin():
        decision = triage_case(session.connection(), TriageCase(
            message_id=uuid.uuid4(), case_id=uuid.UUID(case["id"]), reason="intake_submitted"), utcnow())
    return {**case, "queue": decision.queue}


def clinician_headers(app_client, engine, name: str = "Dr Test") -> tuple[dict, object]:
    user = make_user(engine, "clinician")
    return bearer(sign_in(app_client, user.email)), user


def scalar(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def test_a_clinician_claims_a_case_and_the_queue_shows_the_owner(
    app_client, engine, queued_case, clinician
):
    response = app_client.post(f"/cases/{queued_case['id']}/claim", headers=clinician)

    assert response.status_code == 200
    assert response.json()["status"] == "in-progress"
    assert response.json()["owner_name"] == "Test clinician"


def test_two_clinicians_claiming_at_once_exactly_one_wins_and_the_other_is_told_who(
    app_client, engine, queued_case
):
    first, second = clinician_headers(app_client, engine)[0], clinician_headers(app_client,
                                                                                engine)[0]
    results: list = []
    barrier = threading.Barrier(2)

    def claim(headers):
        barrier.wait()
        results.append(app_client.post(f"/cases/{queued_case['id']}/claim", headers=headers))

    threads = [threading.Thread(target=claim, args=(h,)) for h in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409]
    loser = next(r for r in results if r.status_code == 409).json()
    assert "already claimed by Test clinician" in loser["detail"][0]["msg"]


def test_only_the_owner_releases_a_claim(app_client, engine, queued_case, clinician):
    app_client.post(f"/cases/{queued_case['id']}/claim", headers=clinician)
    other, _ = clinician_headers(app_client, engine)

    assert app_client.post(f"/cases/{queued_case['id']}/release", headers=other).status_code == 409
    released = app_client.post(f"/cases/{queued_case['id']}/release", headers=clinician)
    assert released.status_code == 200 and released.json()["owner_id"] is None


def test_a_lead_assigns_several_cases_at_once_each_change_audited(client, app_client, engine,
                                                                   clinician):
    cases = []
    for _ in range(3):
        case = submit_intake(client, create_patient(client)["id"])
        with sync_session(engine) as session, session.begin():
            triage_case(session.connection(), TriageCase(message_id=uuid.uuid4(),
                                            case_id=uuid.UUID(case["id"]), reason="sweep"),
                        utcnow())
        cases.append(case["id"])
    assignee = make_user(engine, "clinician")
    missing = str(uuid.uuid4())

    response = app_client.post("/queues/assignments", headers=clinician, json={
        "case_ids": [*cases, missing], "assignee_id": str(assignee.id)})

    assert response.status_code == 200
    assert sorted(response.json()["assigned"]) == sorted(cases)
    assert response.json()["not_found"] == [missing]
    assert scalar(engine, "SELECT count(*) FROM audit_events WHERE action = 'assign'") >= 3
    assert scalar(engine, "SELECT count(DISTINCT owner_id) FROM queue_entries "
                  "WHERE owner_id = :a", a=str(assignee.id)) == 1


def test_assigning_to_someone_who_is_not_a_clinician_is_422(app_client, engine, queued_case,
                                                             clinician):
    desk = make_user(engine, "front_desk")
    response = app_client.post("/queues/assignments", headers=clinician, json={
        "case_ids": [queued_case["id"]], "assignee_id": str(desk.id)})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "assignee_id"]


def test_an_override_without_a_written_reason_is_refused(app_client, queued_case, clinician):
    response = app_client.post(f"/cases/{queued_case['id']}/override", headers=clinician,
                               json={"queue": "physio", "urgency": "soon", "reason": "no"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "reason"]


def test_an_imaging_override_must_name_the_modality(app_client, queued_case, clinician):
    response = app_client.post(f"/cases/{queued_case['id']}/override", headers=clinician, json={
        "queue": "imaging", "urgency": "soon", "reason": "persistent deep pain after sprain"})

    assert response.status_code == 422
    assert "imaging_modality is required" in response.text


def test_an_override_is_a_new_decision_shown_beside_the_engines_and_the_queue_moves(
    app_client, engine, queued_case, clinician
):
    reason = "Athlete with high suspicion of syndesmosis injury despite negative Ottawa"
    response = app_client.post(f"/cases/{queued_case['id']}/override", headers=clinician, json={
        "queue": "imaging", "imaging_modality": "mri", "urgency": "urgent", "reason": reason})

    assert response.status_code == 201
    detail = app_client.get(f"/cases/{queued_case['id']}", headers=clinician).json()
    assert [d["source"] for d in detail["decision_history"]] == ["clinician", "engine"]
    assert detail["decision"]["outcome"]["override"]["reason"] == reason
    assert detail["queue_entry"]["queue"] == "imaging"
    listing = app_client.get("/queues/imaging/cases?modality=mri", headers=clinician).json()
    [item] = [i for i in listing["items"] if i["case_id"] == queued_case["id"]]
    assert item["routed_because"] == "override" and item["override_reason"] == reason
    assert scalar(engine, "SELECT count(*) FROM audit_events WHERE action = 'override'") == 1
    assert scalar(engine, "SELECT count(*) FROM outbox_messages WHERE task_name = "
                  "'notify.cases.routed' AND payload->>'decision_id' = :d",
                  d=response.json()["decision_id"]) == 1


def test_notes_are_added_and_shown_on_the_case(app_client, queued_case, clinician):
    app_client.post(f"/cases/{queued_case['id']}/notes", headers=clinician,
                    json={"text": "Called patient; swelling improving."})

    notes = app_client.get(f"/cases/{queued_case['id']}", headers=clinician).json()["notes"]
    assert [n["text"] for n in notes] == ["Called patient; swelling improving."]


def test_completing_closes_the_case_leaves_the_queue_and_stops_reminders(
    app_client, engine, queued_case, clinician
):
    response = app_client.post(f"/cases/{queued_case['id']}/complete", headers=clinician,
                               json={"outcome": "discharged", "note": "Resolved with rest."})

    assert response.status_code == 200
    listing = app_client.get(f"/queues/{queued_case['queue']}/cases", headers=clinician).json()
    assert queued_case["id"] not in [i["case_id"] for i in listing["items"]]
    assert scalar(engine, "SELECT status FROM cases WHERE id = :c", c=queued_case["id"]) == \
        "closed"
    assert scalar(engine, "SELECT count(*) FROM outbox_messages WHERE task_name = "
                  "'notify.cases.closed'") == 1
    again = app_client.post(f"/cases/{queued_case['id']}/complete", headers=clinician,
                            json={"outcome": "completed"})
    assert again.status_code == 409


def test_the_queue_marks_waits_against_the_target_for_the_urgency(app_client, engine,
                                                                   queued_case, clinician):
    with engine.begin() as conn:
        conn.execute(text("UPDATE queue_entries SET entered_at = now() - interval '30 days'"))

    listing = app_client.get(f"/queues/{queued_case['queue']}/cases", headers=clinician).json()

    [item] = listing["items"]
    assert item["breached"] is True and item["waited_minutes"] > item["target_minutes"]
    assert listing["breaches"] == 1
