"""A home-care patient answers "same" at the one-week check-in: the case moves to physio and
the next reminder follows the new plan. The clock is passed in, never slept."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import text

from services.notify.dispatcher import dispatch_due, open_channels
from services.notify.service import NotifyConfig, case_routed
from services.triage.service import triage_case
from shared.clock import utcnow
from shared.contracts import CaseRouted, TriageCase
from shared.db import sync_session
from shared.settings import get_settings
from tests.integration.auth_helpers import bearer, patient_headers, staff_headers
from tests.integration.helpers import create_patient

pytestmark = pytest.mark.integration

LINK = re.compile(r"https?://\S+")
SAFE_OVERUSE_HISTORY = {
    "onset": "gradual", "pain_locations": ["front"], "training_changes": ["mileage_increase"],
    "weekly_load_increase_percent": 100, "foot_cold_pale_or_blue": False,
    "joint_hot_red_swollen": False, "numbness_or_tingling": False,
    "burning_or_tingling_in_sole": False, "visible_deformity": False, "wound_over_injury": False,
    "walked_four_steps_immediately": True, "walks_four_steps_now": True,
    "fever_or_unwell": False, "foot_red_warm_swollen": False,
    "saddle_numbness_or_bladder_bowel_change": False, "diabetes": False,
}


class Clinic:
    """Runs the triage and notify use cases by hand, at the time the test says."""

    def __init__(self, engine, settings):
        self.engine, self.settings = engine, settings
        self.config = NotifyConfig.from_settings(settings)

    def triage(self, case_id: str, reason: str, now):
        with sync_session(self.engine) as session, session.begin():
            return triage_case(session, TriageCase(message_id=uuid.uuid4(),
                                                   case_id=uuid.UUID(case_id), reason=reason), now)

    def plan_follow_ups(self, decision) -> None:
        with sync_session(self.engine) as session, session.begin():
            case_routed(session, CaseRouted(message_id=uuid.uuid4(), case_id=decision.case_id,
                                            decision_id=decision.id), self.config, utcnow())

    def dispatch(self, now) -> None:
        with open_channels(self.settings) as channels:
            dispatch_due(self.engine, channels, self.config, now, 100)


@pytest.fixture
def clinic(engine, settings, smtp_sink, clean_database):
    quiet_off = settings.model_copy(update={
        "smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port,
        "quiet_hours_start": settings.quiet_hours_end})
    return Clinic(engine, quiet_off)


@pytest.fixture
def api_clock(monkeypatch):
    """Moves the API's clock (the one every service reads) to a given offset from now."""
    def move(offset: timedelta) -> None:
        monkeypatch.setenv("CLINIC_CLOCK_OFFSET_SECONDS", str(offset.total_seconds()))
        get_settings.cache_clear()

    yield move
    monkeypatch.delenv("CLINIC_CLOCK_OFFSET_SECONDS", raising=False)
    get_settings.cache_clear()


def check_in_token(mail) -> str:
    body = mail.get_payload(decode=True).decode()
    [url] = [u for u in LINK.findall(body) if urlparse(u).path.endswith("/check-in")]
    return parse_qs(urlparse(url).query)["token"][0]


def test_same_at_one_week_of_home_care_moves_the_case_to_physio_with_a_new_schedule(
    client, engine, clinic, smtp_sink, api_clock
):
    patient = create_patient(client)
    start = utcnow()
    started_hurting = (start - timedelta(days=3)).date().isoformat()
    case = client.post("/cases", json={"patient_id": patient["id"], "history": {
        **SAFE_OVERUSE_HISTORY, "onset_date": started_hurting}}).json()
    first = clinic.triage(case["id"], "intake_submitted", start)
    assert (first.queue, first.urgency) == ("home_care", "routine")
    clinic.plan_follow_ups(first)

    one_week = start + timedelta(days=7, hours=1)
    clinic.dispatch(one_week)
    [reminder] = smtp_sink.to(patient["email"])
    api_clock(timedelta(days=7, hours=1))  # the patient answers when the reminder arrives

    answered = client.post("/check-ins", headers=bearer(check_in_token(reminder)), json={
        "trend": "same", "improvement_percent": 0, "followed_advice": True})
    assert answered.status_code == 202 and answered.json()["seek_care_now"] is False

    second = clinic.triage(case["id"], "follow_up_answered", one_week)
    assert second.queue == "physio"
    assert "escalate.no_better_after_week_of_rest" in {
        rule["rule_id"] for rule in second.outcome["rules_fired"]}
    clinician = staff_headers(client, engine, "clinician")  # signed in a week later
    listing = client.get("/queues/physio/cases", headers=clinician).json()
    [item] = [i for i in listing["items"] if i["case_id"] == case["id"]]
    assert (item["previous_queue"], item["routed_because"]) == ("home_care", "follow_up_answered")

    clinic.plan_follow_ups(second)
    with engine.connect() as conn:
        statuses = dict(conn.execute(text(
            "SELECT decision_id, string_agg(status, ',') FROM follow_ups GROUP BY decision_id"
        )).all())
    assert "scheduled" not in statuses[first.id]  # the home-care plan's open reminders stop
    next_due = min(s["after_days"] for s in second.outcome["follow_up_plan"]
                   if s["kind"] != "staff_alert")
    clinic.dispatch(one_week + timedelta(days=next_due, hours=1))
    assert len(smtp_sink.to(patient["email"])) == 2  # the next reminder, on the new schedule


def test_a_check_in_reporting_numbness_tells_the_patient_to_seek_care_now(
    client, clinic, smtp_sink, api_clock
):
    patient = create_patient(client)
    case = client.post("/cases", json={"patient_id": patient["id"],
                                       "history": SAFE_OVERUSE_HISTORY}).json()
    start = utcnow()
    decision = clinic.triage(case["id"], "intake_submitted", start)
    clinic.plan_follow_ups(decision)
    clinic.dispatch(start + timedelta(days=7, hours=1))
    [reminder] = smtp_sink.to(patient["email"])
    api_clock(timedelta(days=7, hours=1))

    answered = client.post("/check-ins", headers=bearer(check_in_token(reminder)), json={
        "trend": "worse", "new_symptoms": ["numbness", "cold_or_pale_foot"]})

    assert answered.json()["seek_care_now"] is True
    again = clinic.triage(case["id"], "follow_up_answered", start + timedelta(days=7, hours=2))
    assert again.urgency == "emergency"


def test_a_case_link_cannot_be_used_as_a_check_in(client, settings):
    patient = create_patient(client)
    response = client.post("/check-ins", headers=patient_headers(settings, patient["id"]),
                           json={"trend": "better"})

    # Refused for its purpose before anything is looked up (it was a 404 for the follow-up the
    # link does not name): a form link is not for answering check-ins.
    assert response.status_code == 403
    assert "link is not for this" in response.text


def test_after_a_check_in_the_case_still_shows_the_pre_visit_history(client, engine, clinic,
                                                                    smtp_sink, api_clock):
    patient = create_patient(client)
    case = client.post("/cases", json={"patient_id": patient["id"],
                                       "history": SAFE_OVERUSE_HISTORY}).json()
    start = utcnow()
    clinic.plan_follow_ups(clinic.triage(case["id"], "intake_submitted", start))
    clinic.dispatch(start + timedelta(days=7, hours=1))
    [reminder] = smtp_sink.to(patient["email"])
    api_clock(timedelta(days=7, hours=1))
    client.post("/check-ins", headers=bearer(check_in_token(reminder)), json={"trend": "same"})

    desk = staff_headers(client, engine, "front_desk")  # signed in a week later
    history = client.get(f"/cases/{case['id']}", headers=desk).json()["history"]

    assert history["training_changes"] == ["mileage_increase"] and "trend" not in history
