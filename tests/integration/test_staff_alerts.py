"""Staff alerts: an emergency alerts the clinicians on duty at once; a breached wait alerts
the case's owner (or those on duty); each alert is sent once, with nothing clinical in it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from services.notify.channels.email import EmailChannel
from services.notify.staff_alerts import alert_breaches, alert_if_emergency, send_pending
from shared.db import sync_session
from shared.queue_placement import PLACE_ON_QUEUE, placement
from tests.integration.auth_helpers import make_user
from tests.integration.notify_support import add_decision, add_patient

pytestmark = pytest.mark.integration

NOW = datetime(2026, 6, 1, 11, tzinfo=UTC)


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

    assert run(engine, alert_breaches, NOW + timedelta(hours=23)) == 0  # within 24 h target
    run(engine, alert_breaches, NOW + timedelta(hours=25))
    run(engine, alert_breaches, NOW + timedelta(hours=26))
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
