"""People's decisions stand (issue 13, section 3): a re-triage after a check-in stores the
engine's decision but never replaces a clinician's route or lowers an emergency; when the
engine now asks for more, the clinician is alerted and sees its suggestion beside the route."""

from __future__ import annotations

import uuid

import pytest

from services.notify.channels.email import EmailChannel
from services.notify.staff_alerts import alert_escalation, send_pending
from shared.clock import utcnow
from shared.db import sync_session
from tests.integration.auth_helpers import bearer, make_user, patient_headers, sign_in
from tests.integration.decision_helpers import (
    check_in_headers,
    messages,
    owed_check_in,
    placement_of,
    triage,
)
from tests.integration.helpers import create_patient, submit_intake

pytestmark = pytest.mark.integration

BETTER = {"trend": "better", "improvement_percent": 80, "followed_advice": True}
# Still unable to take four steps: the engine never sends this home (issue 13, section 1).
CANNOT_BEAR_WEIGHT = {"walked_four_steps_immediately": False, "walks_four_steps_now": False}


@pytest.fixture
def channel(settings, smtp_sink):
    return EmailChannel(settings.model_copy(update={"smtp_host": smtp_sink.host,
                                                    "smtp_port": smtp_sink.port}))


def overriding_clinician(app_client, engine):
    user = make_user(engine, "clinician")
    return user, bearer(sign_in(app_client, user.email))


def override(app_client, headers, case_id: str, queue: str, urgency: str) -> str:
    response = app_client.post(f"/cases/{case_id}/override", headers=headers, json={
        "queue": queue, "urgency": urgency,
        "reason": "Seen in clinic: settled ankle, functional rehab is enough."})
    assert response.status_code == 201, response.text
    return response.json()["decision_id"]


def answer_check_in(client, engine, settings, patient_id: str, case_id: str,
                    answers: dict) -> None:
    follow_up = owed_check_in(engine, case_id)
    response = client.post("/check-ins", json=answers,
                           headers=check_in_headers(settings, patient_id, case_id, follow_up))
    assert response.status_code == 202, response.text


def raise_escalation_alerts(engine, case_id: str, channel, smtp_sink) -> list[str]:
    """What the notify worker does with the CaseEscalated events: the recipients' emails."""
    for payload in messages(engine, "notify.cases.escalated", case_id):
        with sync_session(engine) as session, session.begin():
            alert_escalation(session, uuid.UUID(payload["case_id"]),
                             uuid.UUID(payload["decision_id"]), utcnow())
    with sync_session(engine) as session, session.begin():
        send_pending(session, channel, "http://clinic/staff/board", utcnow())
    return [m["To"] for m in smtp_sink.messages]


def test_an_override_stands_when_a_better_check_in_re_triages_the_case(
        client, app_client, engine, settings):
    patient = create_patient(client)
    case = submit_intake(client, patient["id"])
    triage(engine, case["id"], "intake_submitted")
    _me, clinician = overriding_clinician(app_client, engine)
    chosen = override(app_client, clinician, case["id"], "physio", "soon")

    answer_check_in(client, engine, settings, patient["id"], case["id"], BETTER)
    again = triage(engine, case["id"], "follow_up_answered")

    now = placement_of(engine, case["id"])
    assert (now.queue, now.urgency, str(now.decision_id), now.source) == (
        "physio", "soon", chosen, "clinician")
    view = app_client.get(f"/cases/{case['id']}", headers=clinician).json()
    assert view["decision"]["id"] == chosen  # the route the case is on
    # The engine's re-triage is kept beside it: reproducible and audited, just not placed.
    assert str(again.id) in {d["id"] for d in view["decision_history"]}
    assert messages(engine, "notify.cases.routed", case["id"])[-1]["decision_id"] == chosen


def test_an_engine_decision_above_the_clinicians_route_is_escalated_to_that_clinician(
        client, app_client, engine, settings, smtp_sink, channel):
    patient = create_patient(client)
    case = submit_intake(client, patient["id"], **CANNOT_BEAR_WEIGHT)
    triage(engine, case["id"], "intake_submitted")
    me, clinician = overriding_clinician(app_client, engine)
    make_user(engine, "clinician")  # another clinician, not the one who set the route
    chosen = override(app_client, clinician, case["id"], "home_care", "routine")

    answer_check_in(client, engine, settings, patient["id"], case["id"], BETTER)
    again = triage(engine, case["id"], "follow_up_answered")

    now = placement_of(engine, case["id"])
    assert (str(now.decision_id), now.queue) == (chosen, "home_care")  # the route stands
    assert now.review_decision_id == again.id  # ... and a clinician must look
    [event] = messages(engine, "notify.cases.escalated", case["id"])
    assert event["decision_id"] == str(again.id) and set(event) <= {
        "message_id", "case_id", "decision_id", "version"}  # ids only
    assert raise_escalation_alerts(engine, case["id"], channel, smtp_sink) == [me.email]

    suggestion = app_client.get(f"/cases/{case['id']}", headers=clinician).json()[
        "engine_suggestion"]
    assert (suggestion["queue"], suggestion["urgency"]) == (again.queue, again.urgency)
    reasons = [rule["rationale"] for rule in again.outcome["rules_fired"]]
    assert suggestion["reasons"] == reasons and reasons
    page = app_client.get(f"/staff/cases/{case['id']}", headers=clinician).text
    assert "The engine now suggests " + again.queue.replace("_", " ") in page
    assert reasons[0] in page.replace("&#39;", "'").replace("&quot;", '"')

    override(app_client, clinician, case["id"], again.queue if again.queue != "imaging"
             else "surgical", again.urgency)  # the clinician decides
    assert placement_of(engine, case["id"]).review_decision_id is None


def test_an_emergency_stays_an_emergency_after_a_better_answer_and_the_clinician_is_alerted(
        client, app_client, engine, settings, smtp_sink, channel, clinician):
    patient = create_patient(client)
    case = submit_intake(client, patient["id"], walks_four_steps_now=True,
                         walked_four_steps_immediately=True)
    triage(engine, case["id"], "intake_submitted")
    answer_check_in(client, engine, settings, patient["id"], case["id"], {
        "trend": "worse", "new_symptoms": ["cold_or_pale_foot", "numbness"]})
    emergency = triage(engine, case["id"], "follow_up_answered")
    assert emergency.urgency == "emergency"
    on_duty = make_user(engine, "clinician")
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE users SET on_duty = true WHERE id = %s", (on_duty.id,))

    answer_check_in(client, engine, settings, patient["id"], case["id"], BETTER)
    calmer = triage(engine, case["id"], "follow_up_answered")

    assert calmer.urgency != "emergency"  # what the engine alone would have done
    now = placement_of(engine, case["id"])
    assert (now.urgency, now.decision_id, now.review_decision_id) == (
        "emergency", emergency.id, calmer.id)
    listing = app_client.get(f"/queues/{emergency.queue}/cases", headers=clinician).json()
    [item] = [i for i in listing["items"] if i["case_id"] == case["id"]]
    assert item["urgency"] == "emergency" and item["needs_clinician_review"] is True
    assert raise_escalation_alerts(engine, case["id"], channel, smtp_sink) == [on_duty.email]
    # The patient is still told to get care now: their answer did not lower it.
    mine = client.get(f"/cases/{case['id']}",
                      headers=patient_headers(settings, patient["id"])).json()
    assert mine["next_steps"]["urgency"] == "emergency" and mine["next_steps"]["seek_care_now"]
