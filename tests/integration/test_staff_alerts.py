"""Staff alerts: an emergency alerts the clinicians on duty at once; a breached wait alerts
the case's owner (or those on duty); each alert is sent once, with nothing clinical in it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from services.notify.channels.email import EmailChannel
from services.notify.staff_alerts import alert_breaches, alert_if_emergency, send_pending
from shared.alert_acknowledgement import acknowledge_alerts
from shared.db import sync_session
from shared.models import TriageDecision
from shared.queue_placement import PLACE_ON_QUEUE, placement
from tests.integration.auth_helpers import make_user, staff_headers
from tests.integration.notify_support import add_decision, add_patient
from tests.integration.queue_helpers import triaged

pytestmark = pytest.mark.integration

NOW = datetime(2026, 6, 1, 11, tzinfo=UTC)
BOARD = "https://clinic.example/staff/board"
REPEAT = timedelta(hours=4)  # CLINIC_BREACH_ALERT_REPEAT_SECONDS in these tests


@pytest.fixture
def channel(settings, smtp_sink, clean_database):
    return EmailChannel(settings.model_copy(update={"smtp_host": smtp_sink.host,
                                                    "smtp_port": smtp_sink.port}))


def set_on_duty(engine, user, on_duty: bool = True) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET on_duty = :d WHERE id = :u"),
                     {"d": on_duty, "u": user.id})


def decision_with_urgency(engine, urgency: str):
    decision = add_decision(engine, add_patient(engine), NOW, plan=[])
    with engine.begin() as conn:
        conn.execute(text("UPDATE triage_decisions SET urgency = :u WHERE id = :d"),
                     {"u": urgency, "d": decision.id})
    decision.urgency = urgency
    return decision


def run(engine, fn, *args):
    with sync_session(engine) as session, session.begin():
        return fn(session, *args)


def test_an_emergency_alerts_the_clinician_on_duty_once_with_no_clinical_detail(
    engine, channel, smtp_sink
):
    on_duty, off_duty = make_user(engine, "clinician"), make_user(engine, "clinician")
    set_on_duty(engine, on_duty)
    decision = decision_with_urgency(engine, "emergency")

    run(engine, alert_if_emergency, decision, NOW)
    run(engine, alert_if_emergency, decision, NOW)  # the same event delivered twice
    assert run(engine, send_pending, channel, "http://clinic/board", NOW) == 1

    [mail] = smtp_sink.to(on_duty.email)
    assert smtp_sink.to(off_duty.email) == []
    body = mail.get_payload(decode=True).decode()
    assert str(decision.case_id) in body and "fracture" not in body.lower()


def test_with_nobody_on_duty_every_active_clinician_is_alerted(engine, channel, smtp_sink):
    clinicians = [make_user(engine, "clinician") for _ in range(2)]
    make_user(engine, "front_desk")

    run(engine, alert_if_emergency, decision_with_urgency(engine, "emergency"), NOW)
    run(engine, send_pending, channel, "http://clinic/board", NOW)

    assert sorted(m["To"] for m in smtp_sink.messages) == sorted(c.email for c in clinicians)


def test_a_routine_decision_alerts_nobody(engine, channel, smtp_sink):
    make_user(engine, "clinician")

    run(engine, alert_if_emergency, decision_with_urgency(engine, "routine"), NOW)

    assert run(engine, send_pending, channel, "http://clinic/board", NOW) == 0


def test_a_breached_wait_alerts_the_owner_once(engine, channel, smtp_sink):
    owner = make_user(engine, "clinician")
    make_user(engine, "clinician")
    decision = decision_with_urgency(engine, "urgent")
    with sync_session(engine) as session, session.begin():
        session.execute(PLACE_ON_QUEUE, placement(decision.case_id, decision.id, "imaging",
                                                  "xray", "urgent", NOW))
    with engine.begin() as conn:
        conn.execute(text("UPDATE queue_entries SET owner_id = :o, status = 'in-progress'"),
                     {"o": str(owner.id)})

    assert run(engine, alert_breaches, NOW + timedelta(hours=23), REPEAT) == 0  # within 24 h
    run(engine, alert_breaches, NOW + timedelta(hours=25), REPEAT)
    run(engine, alert_breaches, NOW + timedelta(hours=26), REPEAT)
    run(engine, send_pending, channel, "http://clinic/board", NOW + timedelta(hours=26))

    assert [m["To"] for m in smtp_sink.messages] == [owner.email]


def test_an_unreachable_mail_server_keeps_the_alert_pending_to_retry(engine, settings,
                                                                    clean_database):
    make_user(engine, "clinician")
    down = EmailChannel(settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": 1}))
    run(engine, alert_if_emergency, decision_with_urgency(engine, "emergency"), NOW)

    assert run(engine, send_pending, down, "http://clinic/board", NOW) == 0

    with engine.connect() as conn:
        status, attempts = conn.execute(text("SELECT status, attempts FROM staff_alerts")).one()
    assert (status, attempts) == ("pending", 1)


# --- No alert storm: one alert per case and reason until acknowledged --------------------------

def retriage(engine, decision, urgency: str, at: datetime):
    """Another decision on the same case (a check-in or an exam re-triaged it), now the one
    its queue entry follows."""
    with sync_session(engine) as session, session.begin():
        again = TriageDecision(case_id=decision.case_id, request_id=uuid.uuid4(),
                               queue="imaging", urgency=urgency, ruleset_version="test",
                               ruleset_hash="test", inputs={}, outcome={}, decided_at=at)
        session.add(again)
        session.flush()
        session.execute(text("UPDATE queue_entries SET decision_id = :d WHERE case_id = :c"),
                        {"d": again.id, "c": decision.case_id})
    return again


def on_queue(engine, decision, at: datetime) -> None:
    with sync_session(engine) as session, session.begin():
        session.execute(PLACE_ON_QUEUE, placement(decision.case_id, decision.id, "imaging",
                                                  "xray", decision.urgency, at))


def acknowledge(engine, decision, clinician, at: datetime) -> None:
    with sync_session(engine) as session, session.begin():
        session.execute(acknowledge_alerts(decision.case_id, clinician.id, at))


def test_an_emergency_re_triaged_within_a_minute_alerts_each_clinician_once(
        engine, channel, smtp_sink):
    clinicians = [make_user(engine, "clinician") for _ in range(2)]
    for clinician in clinicians:
        set_on_duty(engine, clinician)
    decision = decision_with_urgency(engine, "emergency")
    on_queue(engine, decision, NOW)

    run(engine, alert_if_emergency, decision, NOW)
    for seconds in (10, 25, 40, 55):  # an exam, check-ins: each a new emergency decision
        again = retriage(engine, decision, "emergency", NOW + timedelta(seconds=seconds))
        run(engine, alert_if_emergency, again, NOW + timedelta(seconds=seconds))
        run(engine, send_pending, channel, BOARD, NOW + timedelta(seconds=seconds))

    assert sorted(m["To"] for m in smtp_sink.messages) == sorted(c.email for c in clinicians)


def test_after_acknowledgement_a_new_emergency_alerts_again(engine, channel, smtp_sink):
    clinician = make_user(engine, "clinician")
    decision = decision_with_urgency(engine, "emergency")
    on_queue(engine, decision, NOW)
    run(engine, alert_if_emergency, decision, NOW)
    acknowledge(engine, decision, clinician, NOW + timedelta(minutes=2))

    later = retriage(engine, decision, "emergency", NOW + timedelta(hours=3))
    run(engine, alert_if_emergency, later, NOW + timedelta(hours=3))
    run(engine, send_pending, channel, BOARD, NOW + timedelta(hours=3))

    assert len(smtp_sink.to(clinician.email)) == 2


def test_a_breach_swept_every_few_seconds_alerts_once_then_at_most_once_per_interval(
        engine, channel, smtp_sink):
    clinician = make_user(engine, "clinician")
    decision = decision_with_urgency(engine, "emergency")
    on_queue(engine, decision, NOW)
    breached = NOW + timedelta(minutes=31)  # the emergency target is 30 min

    for tick in range(13):  # the scheduler's dispatch every 5 s, for a minute
        now = breached + timedelta(seconds=5 * tick)
        if tick in (4, 8):
            retriage(engine, decision, "emergency", now)  # a new decision on the same wait
        run(engine, alert_breaches, now, REPEAT)
        run(engine, send_pending, channel, BOARD, now)
    assert len(smtp_sink.to(clinician.email)) == 1

    run(engine, alert_breaches, breached + REPEAT - timedelta(seconds=1), REPEAT)
    run(engine, alert_breaches, breached + REPEAT + timedelta(seconds=1), REPEAT)
    run(engine, alert_breaches, breached + REPEAT + timedelta(minutes=30), REPEAT)
    run(engine, send_pending, channel, BOARD, breached + REPEAT + timedelta(minutes=30))
    assert len(smtp_sink.to(clinician.email)) == 2  # still waiting: one reminder per interval


def test_an_acknowledged_breach_is_not_repeated(engine, channel, smtp_sink):
    clinician = make_user(engine, "clinician")
    decision = decision_with_urgency(engine, "urgent")
    on_queue(engine, decision, NOW)
    breached = NOW + timedelta(hours=25)
    run(engine, alert_breaches, breached, REPEAT)
    acknowledge(engine, decision, clinician, breached + timedelta(minutes=5))

    for hours in (5, 10, 20):
        run(engine, alert_breaches, breached + timedelta(hours=hours), REPEAT)
    run(engine, send_pending, channel, BOARD, breached + timedelta(hours=20))

    assert len(smtp_sink.to(clinician.email)) == 1


def test_claiming_the_case_acknowledges_its_alerts(client, app_client, engine):
    make_user(engine, "clinician")  # on duty by default when nobody is: alerted
    case = triaged(client, engine)
    with sync_session(engine) as session, session.begin():
        decision = session.exec(select(TriageDecision).where(
            TriageDecision.case_id == uuid.UUID(case["id"]))).one()
        decision.urgency = "emergency"
        alert_if_emergency(session, decision, NOW)
    clinician = staff_headers(app_client, engine, "clinician")
    page = f"/staff/cases/{case['id']}"
    assert "Acknowledge alerts" in app_client.get(page, headers=clinician).text

    claimed = app_client.post(f"/cases/{case['id']}/claim", headers=clinician)

    assert claimed.status_code == 200
    assert "Acknowledge alerts" not in app_client.get(page, headers=clinician).text
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM staff_alerts "
                                 "WHERE acknowledged_at IS NULL")).scalar() == 0
