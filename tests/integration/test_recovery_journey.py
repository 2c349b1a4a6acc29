"""A patient whose scores fall behind the expected course of recovery: their clinician is
alerted, the patient is not. Pain under 3 weeks old is expected to improve within 2-3 weeks of
care (seed 004); the clock is passed in and moved, never slept."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import text

from services.notify import repository, service, staff_alerts
from services.notify.dispatcher import dispatch_due, open_channels
from services.notify.service import NotifyConfig
from services.notify.tasks import app as notify_app
from services.triage.service import triage_case
from shared.clock import utcnow
from shared.contracts import RecoveryBehind, TriageCase
from shared.db import sync_session
from shared.settings import get_settings
from tests.integration.auth_helpers import bearer, make_user, sign_in
from tests.integration.helpers import create_patient

pytestmark = pytest.mark.integration

LINK = re.compile(r"https?://\S+")
SAFE_HISTORY = {
    "onset": "gradual", "pain_locations": ["front"], "foot_cold_pale_or_blue": False,
    "joint_hot_red_swollen": False, "numbness_or_tingling": False,
    "burning_or_tingling_in_sole": False, "visible_deformity": False, "wound_over_injury": False,
    "walked_four_steps_immediately": True, "walks_four_steps_now": True,
    "fever_or_unwell": False, "foot_red_warm_swollen": False,
    "saddle_numbness_or_bladder_bowel_change": False, "diabetes": False, "pain_score": 6,
}
SOME_DIFFICULTY = {"function_walk_indoors": 3, "function_walk_outdoors": 2,
                   "function_stairs": 2, "function_stand": 2, "function_usual_activity": 1}


class Clinic:
    def __init__(self, engine, settings):
        self.engine, self.settings = engine, settings
        self.config = NotifyConfig.from_settings(settings)

    def triage(self, case_id: str, reason: str, now):
        with sync_session(self.engine) as session, session.begin():
            return triage_case(session, TriageCase(message_id=uuid.uuid4(),
                                                   case_id=uuid.UUID(case_id), reason=reason), now)

    def plan_follow_ups(self, decision) -> None:
        with sync_session(self.engine) as session, session.begin():
            service.schedule_for(session, repository.routed_decision(session, decision.id),
                                 self.config)

    def dispatch(self, now) -> None:
        with open_channels(self.settings) as channels:
            dispatch_due(self.engine, channels, self.config, now, 100)

    def recovery_events(self) -> list[RecoveryBehind]:
        with self.engine.connect() as connection:
            payloads = connection.execute(text(
                "SELECT payload FROM outbox_messages WHERE task_name = :name ORDER BY created_at"),
                {"name": RecoveryBehind.task_name}).scalars().all()
        return [RecoveryBehind.model_validate(p) for p in payloads]

    def send_staff_alerts(self, now) -> None:
        with open_channels(self.settings) as channels, sync_session(self.engine) as session, \
                session.begin():
            staff_alerts.send_pending(session, channels["email"], "http://clinic/staff", now)

    def deliver(self, event: RecoveryBehind, now) -> None:
        """What notify's task does with the event (services/notify/tasks.py)."""
        with sync_session(self.engine) as session, session.begin():
            staff_alerts.alert_escalation(session, event.case_id, event.decision_id, now,
                                          kind="recovery")


@pytest.fixture
def clinic(engine, settings, smtp_sink, clean_database):
    return Clinic(engine, settings.model_copy(update={
        "smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port,
        "quiet_hours_start": settings.quiet_hours_end}))


@pytest.fixture
def api_clock(monkeypatch):
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


def answer_reminder(client, smtp_sink, email: str, answers: dict):
    reminder = smtp_sink.to(email)[-1]
    answered = client.post("/check-ins", headers=bearer(check_in_token(reminder)), json=answers)
    assert answered.status_code == 202, answered.text


def test_scores_behind_the_expected_course_alert_the_clinician_on_the_case_not_the_patient(
    client, engine, clinic, smtp_sink, api_clock
):
    patient = create_patient(client)
    start = utcnow()
    case = client.post("/cases", json={"patient_id": patient["id"], "history": {
        **SAFE_HISTORY, "onset_date": (start - timedelta(days=3)).date().isoformat()}}).json()
    first = clinic.triage(case["id"], "intake_submitted", start)
    assert first.queue == "home_care"
    clinic.plan_follow_ups(first)
    dr = make_user(engine, "clinician")
    make_user(engine, "clinician")  # another clinician, not on this case
    claimed = client.post(f"/cases/{case['id']}/claim",
                          headers=bearer(sign_in(client, dr.email)))
    assert claimed.status_code == 200, claimed.text

    week_one = start + timedelta(days=7, hours=1)
    clinic.dispatch(week_one)
    api_clock(timedelta(days=7, hours=1))
    answer_reminder(client, smtp_sink, patient["email"], {
        "trend": "better", "pain_score": 5, **SOME_DIFFICULTY})
    clinic.triage(case["id"], "follow_up_answered", week_one)
    assert clinic.recovery_events() == []  # a week of care: too early to judge

    week_three = start + timedelta(days=21, hours=1)
    clinic.dispatch(week_three)
    reminders = len(smtp_sink.to(patient["email"]))
    api_clock(timedelta(days=21, hours=1))
    answer_reminder(client, smtp_sink, patient["email"], {
        "trend": "same", "pain_score": 5, **SOME_DIFFICULTY})
    third = clinic.triage(case["id"], "follow_up_answered", week_three)
    assert third.inputs["history"]["pain_score"] == 5  # the engine sees today's pain

    [event] = clinic.recovery_events()
    assert (event.case_id, event.decision_id) == (uuid.UUID(case["id"]), third.id)
    assert RecoveryBehind.task_name in notify_app.tasks
    clinic.deliver(event, week_three)
    with engine.connect() as connection:
        alerts = connection.execute(text(
            "SELECT kind, recipient_id FROM staff_alerts WHERE case_id = :case"),
            {"case": case["id"]}).all()
    assert alerts == [("recovery", dr.id)]
    clinic.send_staff_alerts(week_three + timedelta(minutes=1))
    assert len(smtp_sink.to(patient["email"])) == reminders  # nothing to the patient
    staff_mail = smtp_sink.to(dr.email)
    assert [m["Subject"] for m in staff_mail] == [
        "A patient's recovery is behind the expected course"]


def test_scores_keeping_to_the_course_alert_nobody(client, engine, clinic, smtp_sink, api_clock):
    patient = create_patient(client)
    start = utcnow()
    case = client.post("/cases", json={"patient_id": patient["id"], "history": {
        **SAFE_HISTORY, "onset_date": (start - timedelta(days=3)).date().isoformat()}}).json()
    first = clinic.triage(case["id"], "intake_submitted", start)
    clinic.plan_follow_ups(first)
    for day, pain in ((7, 4), (21, 2)):
        now = start + timedelta(days=day, hours=1)
        clinic.dispatch(now)
        api_clock(timedelta(days=day, hours=1))
        answer_reminder(client, smtp_sink, patient["email"], {"trend": "better",
                                                               "pain_score": pain})
        clinic.triage(case["id"], "follow_up_answered", now)
    assert clinic.recovery_events() == []
