"""Follow-ups from a routed case, and their delivery over a real SMTP server."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from services.notify.channels.email import EmailChannel
from services.notify.dispatcher import dispatch_due
from services.notify.service import NotifyConfig, Outcome, case_routed, stop_follow_ups
from services.triage.service import triage_case
from shared.clock import utcnow
from shared.contracts import CaseClosed, CaseRouted, TriageCase
from shared.db import sync_session
from tests.integration.helpers import create_patient, submit_intake

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(settings):
    """Quiet hours off: these tests run on the real clock, at whatever hour that is."""
    return settings.model_copy(update={"quiet_hours_start": settings.quiet_hours_end})


@pytest.fixture
def routed(client, engine):
    """A triaged case: (patient, decision)."""
    patient = create_patient(client, given_name="Rosa")
    case = submit_intake(client, patient["id"])
    with sync_session(engine) as session, session.begin():
        decision = triage_case(session, TriageCase(message_id=uuid.uuid4(),
                                                   case_id=uuid.UUID(case["id"]),
                                                   reason="intake_submitted"),
                               utcnow())
    return patient, decision


def routed_message(decision) -> CaseRouted:
    return CaseRouted(message_id=uuid.uuid4(), case_id=decision.case_id, decision_id=decision.id)


def schedule(engine, decision, settings) -> int:
    with sync_session(engine) as session, session.begin():
        return case_routed(session, routed_message(decision),
                           NotifyConfig.from_settings(settings), utcnow()).follow_ups


def dispatch(engine, settings, at_offset: timedelta) -> int:
    outcomes = dispatch_due(engine, {"email": EmailChannel(settings)},
                            NotifyConfig.from_settings(settings), utcnow() + at_offset, 100)
    return outcomes[Outcome.SENT]


def follow_up_rows(engine):
    with engine.connect() as conn:
        return conn.execute(text("SELECT step, status, due_at FROM follow_ups ORDER BY step")).all()


def test_the_plan_becomes_follow_ups_due_after_the_decision(routed, engine, settings):
    _patient, decision = routed

    created = schedule(engine, decision, settings)

    plan = decision.outcome["follow_up_plan"]
    assert created == len(plan) >= 1
    due = [row.due_at for row in follow_up_rows(engine)]
    assert due == [decision.decided_at + timedelta(days=p["after_days"]) for p in plan]


def test_case_routed_delivered_twice_schedules_each_follow_up_once(routed, engine, settings):
    _patient, decision = routed

    schedule(engine, decision, settings)
    assert schedule(engine, decision, settings) == 0
    assert len(follow_up_rows(engine)) == len(decision.outcome["follow_up_plan"])


def test_nothing_is_sent_before_it_is_due(routed, engine, settings, smtp_sink):
    _patient, decision = routed
    schedule(engine, decision, settings)
    smtp = settings.model_copy(update={"smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port})

    assert dispatch(engine, smtp, timedelta(0)) == 0
    assert smtp_sink.messages == []


def test_a_due_reminder_arrives_by_smtp_with_a_link_and_no_clinical_content(
    routed, engine, settings, smtp_sink
):
    patient, decision = routed
    schedule(engine, decision, settings)
    smtp = settings.model_copy(update={"smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port})
    first_due = decision.outcome["follow_up_plan"][0]["after_days"]

    assert dispatch(engine, smtp, timedelta(days=first_due, hours=1)) == 1

    [mail] = smtp_sink.to(patient["email"])
    body = mail.get_payload(decode=True).decode()
    assert "Rosa" in body and "/check-in" in body
    for clinical_word in ("imaging", "x-ray", "xray", "fracture", "sprain", decision.queue):
        assert clinical_word not in body.lower()
    assert follow_up_rows(engine)[0].status == "sent"
    assert dispatch(engine, smtp, timedelta(days=first_due, hours=2)) == 0  # sent once only


def test_an_unreachable_mail_server_records_a_failed_attempt_and_keeps_the_reminder(
    routed, engine, settings
):
    _patient, decision = routed
    schedule(engine, decision, settings)
    down = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": 1})

    assert dispatch(engine, down, timedelta(days=30)) == 0

    assert follow_up_rows(engine)[0].status == "scheduled"
    with engine.connect() as conn:
        attempts = conn.execute(text("SELECT status, error FROM deliveries")).all()
    assert attempts[0].status == "failed" and attempts[0].error == "ConnectionRefusedError"


def test_without_an_smtp_server_mail_lands_in_the_local_mail_folder(routed, engine, settings):
    patient, decision = routed
    schedule(engine, decision, settings)

    assert dispatch(engine, settings, timedelta(days=30)) >= 1

    files = list((settings.maildir / "new").iterdir())
    assert files and patient["email"] in files[0].read_text()


def test_a_new_decision_cancels_the_unsent_follow_ups_of_the_one_before(routed, engine,
                                                                       settings):
    _patient, first = routed
    assert schedule(engine, first, settings) > 0
    with sync_session(engine) as session, session.begin():
        second = triage_case(session, TriageCase(message_id=uuid.uuid4(), case_id=first.case_id,
                                                 reason="exam_recorded"), utcnow())

    assert schedule(engine, second, settings) > 0

    with engine.connect() as conn:
        statuses = dict(conn.execute(text(
            "SELECT decision_id, array_agg(DISTINCT status) FROM follow_ups "
            "GROUP BY decision_id")).all())
    assert statuses == {first.id: ["cancelled"], second.id: ["scheduled"]}


def test_closing_the_case_cancels_every_unsent_follow_up(routed, engine, settings):
    _patient, decision = routed
    assert schedule(engine, decision, settings) > 0

    with sync_session(engine) as session, session.begin():
        stop_follow_ups(session, CaseClosed(message_id=uuid.uuid4(), case_id=decision.case_id))

    assert {status for _step, status, _due in follow_up_rows(engine)} == {"cancelled"}
