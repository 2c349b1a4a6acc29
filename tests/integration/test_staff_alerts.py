"""Staff alerts: an emergency alerts the clinicians on duty at once; a breached wait alerts
the case's owner (or those on duty); each alert is sent once, with nothing clinical in it.

The alert functions work on the caller's session, so these tests run them on db_session,
each call a transaction of its own (a SAVEPOINT in the test's rolled-back transaction) as a
worker's task is, and write accounts and decisions through its connection (make_user,
add_patient and add_decision accept any bind). The last test goes through the HTTP app, whose
own connections cannot see that transaction: it keeps clean_database, and leaves_no_rows empties
the tables after it, so the order of the tests does not matter."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, text
from sqlmodel import Session, select

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
def channel(settings, smtp_sink):
    return EmailChannel(settings.model_copy(update={"smtp_host": smtp_sink.host,
                                                    "smtp_port": smtp_sink.port}))


@pytest.fixture
def conn(db_session) -> Connection:
    """The rolled-back test transaction's connection, for the builders that take a bind."""
    return db_session.connection()


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """What `with sync_session(engine) as s, s.begin()` is to a worker: one transaction (here
    a SAVEPOINT), committed, then the session closed, so no object outlives it."""
    try:
        yield session
        session.commit()
    finally:
        session.close()


def set_on_duty(conn: Connection, user, on_duty: bool = True) -> None:
    conn.execute(text("UPDATE users SET on_duty = :d WHERE id = :u"),
                 {"d": on_duty, "u": user.id})


def decision_with_urgency(conn: Connection, urgency: str):
    decision = add_decision(conn, add_patient(conn), NOW, plan=[])
    conn.execute(text("UPDATE triage_decisions SET urgency = :u WHERE id = :d"),
                 {"u": urgency, "d": decision.id})
    decision.urgency = urgency
    return decision


def run(session: Session, fn, *args):
    with transaction(session):
        return fn(session, *args)


def test_an_emergency_alerts_the_clinician_on_duty_once_with_no_clinical_detail(
    db_session, conn, channel, smtp_sink
):
    on_duty, off_duty = make_user(conn, "clinician"), make_user(conn, "clinician")
    set_on_duty(conn, on_duty)
    decision = decision_with_urgency(conn, "emergency")

    run(db_session, alert_if_emergency, decision, NOW)
    run(db_session, alert_if_emergency, decision, NOW)  # the same event delivered twice
    assert run(db_session, send_pending, channel, "http://clinic/board", NOW) == 1

    [mail] = smtp_sink.to(on_duty.email)
    assert smtp_sink.to(off_duty.email) == []
    body = mail.get_payload(decode=True).decode()
    assert str(decision.case_id) in body and "fracture" not in body.lower()


def test_with_nobody_on_duty_every_active_clinician_is_alerted(db_session, conn, channel,
                                                               smtp_sink):
    clinicians = [make_user(conn, "clinician") for _ in range(2)]
    make_user(conn, "front_desk")

    run(db_session, alert_if_emergency, decision_with_urgency(conn, "emergency"), NOW)
    run(db_session, send_pending, channel, "http://clinic/board", NOW)

    assert sorted(m["To"] for m in smtp_sink.messages) == sorted(c.email for c in clinicians)


def test_a_routine_decision_alerts_nobody(db_session, conn, channel, smtp_sink):
    make_user(conn, "clinician")

    run(db_session, alert_if_emergency, decision_with_urgency(conn, "routine"), NOW)

    assert run(db_session, send_pending, channel, "http://clinic/board", NOW) == 0


def test_a_breached_wait_alerts_the_owner_once(db_session, conn, channel, smtp_sink):
    owner = make_user(conn, "clinician")
    make_user(conn, "clinician")
    decision = decision_with_urgency(conn, "urgent")
    with transaction(db_session) as session:
        session.execute(PLACE_ON_QUEUE, placement(decision.case_id, decision.id, "imaging",
                                                  "xray", "urgent", NOW))
    conn.execute(text("UPDATE queue_entries SET owner_id = :o, status = 'in-progress'"),
                 {"o": str(owner.id)})

    assert run(db_session, alert_breaches, NOW + timedelta(hours=23), REPEAT) == 0  # in 24 h
    run(db_session, alert_breaches, NOW + timedelta(hours=25), REPEAT)
    run(db_session, alert_breaches, NOW + timedelta(hours=26), REPEAT)
    run(db_session, send_pending, channel, "http://clinic/board", NOW + timedelta(hours=26))

    assert [m["To"] for m in smtp_sink.messages] == [owner.email]


def test_an_unreachable_mail_server_keeps_the_alert_pending_to_retry(db_session, conn,
                                                                    settings):
    make_user(conn, "clinician")
    down = EmailChannel(settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": 1}))
    run(db_session, alert_if_emergency, decision_with_urgency(conn, "emergency"), NOW)

    assert run(db_session, send_pending, down, "http://clinic/board", NOW) == 0

    status, attempts = conn.execute(text("SELECT status, attempts FROM staff_alerts")).one()
    assert (status, attempts) == ("pending", 1)


# --- No alert storm: one alert per case and reason until acknowledged --------------------------

def retriage(db_session: Session, decision, urgency: str, at: datetime):
    """Another decision on the same case (a check-in or an exam re-triaged it), now the one
    its queue entry follows."""
    with transaction(db_session) as session:
        again = TriageDecision(case_id=decision.case_id, request_id=uuid.uuid4(),
                               queue="imaging", urgency=urgency, ruleset_version="test",
                               ruleset_hash="test", inputs={}, outcome={}, decided_at=at)
        session.add(again)
        session.flush()
        session.execute(text("UPDATE queue_entries SET decision_id = :d WHERE case_id = :c"),
                        {"d": again.id, "c": decision.case_id})
    return again


def on_queue(db_session: Session, decision, at: datetime) -> None:
    with transaction(db_session) as session:
        session.execute(PLACE_ON_QUEUE, placement(decision.case_id, decision.id, "imaging",
                                                  "xray", decision.urgency, at))


def acknowledge(db_session: Session, decision, clinician, at: datetime) -> None:
    with transaction(db_session) as session:
        session.execute(acknowledge_alerts(decision.case_id, clinician.id, at))


def test_an_emergency_re_triaged_within_a_minute_alerts_each_clinician_once(
        db_session, conn, channel, smtp_sink):
    clinicians = [make_user(conn, "clinician") for _ in range(2)]
    for clinician in clinicians:
        set_on_duty(conn, clinician)
    decision = decision_with_urgency(conn, "emergency")
    on_queue(db_session, decision, NOW)

    run(db_session, alert_if_emergency, decision, NOW)
    for seconds in (10, 25, 40, 55):  # an exam, check-ins: each a new emergency decision
        again = retriage(db_session, decision, "emergency", NOW + timedelta(seconds=seconds))
        run(db_session, alert_if_emergency, again, NOW + timedelta(seconds=seconds))
        run(db_session, send_pending, channel, BOARD, NOW + timedelta(seconds=seconds))

    assert sorted(m["To"] for m in smtp_sink.messages) == sorted(c.email for c in clinicians)


def test_after_acknowledgement_a_new_emergency_alerts_again(db_session, conn, channel,
                                                             smtp_sink):
    clinician = make_user(conn, "clinician")
    decision = decision_with_urgency(conn, "emergency")
    on_queue(db_session, decision, NOW)
    run(db_session, alert_if_emergency, decision, NOW)
    acknowledge(db_session, decision, clinician, NOW + timedelta(minutes=2))

    later = retriage(db_session, decision, "emergency", NOW + timedelta(hours=3))
    run(db_session, alert_if_emergency, later, NOW + timedelta(hours=3))
    run(db_session, send_pending, channel, BOARD, NOW + timedelta(hours=3))

    assert len(smtp_sink.to(clinician.email)) == 2


def test_a_breach_swept_every_few_seconds_alerts_once_then_at_most_once_per_interval(
        db_session, conn, channel, smtp_sink):
    clinician = make_user(conn, "clinician")
    decision = decision_with_urgency(conn, "emergency")
    on_queue(db_session, decision, NOW)
    breached = NOW + timedelta(minutes=31)  # the emergency target is 30 min

    for tick in range(13):  # the scheduler's dispatch every 5 s, for a minute
        now = breached + timedelta(seconds=5 * tick)
        if tick in (4, 8):
            retriage(db_session, decision, "emergency", now)  # a new decision on the same wait
        run(db_session, alert_breaches, now, REPEAT)
        run(db_session, send_pending, channel, BOARD, now)
    assert len(smtp_sink.to(clinician.email)) == 1

    run(db_session, alert_breaches, breached + REPEAT - timedelta(seconds=1), REPEAT)
    run(db_session, alert_breaches, breached + REPEAT + timedelta(seconds=1), REPEAT)
    run(db_session, alert_breaches, breached + REPEAT + timedelta(minutes=30), REPEAT)
    run(db_session, send_pending, channel, BOARD, breached + REPEAT + timedelta(minutes=30))
    assert len(smtp_sink.to(clinician.email)) == 2  # still waiting: one reminder per interval


def test_an_acknowledged_breach_is_not_repeated(db_session, conn, channel, smtp_sink):
    clinician = make_user(conn, "clinician")
    decision = decision_with_urgency(conn, "urgent")
    on_queue(db_session, decision, NOW)
    breached = NOW + timedelta(hours=25)
    run(db_session, alert_breaches, breached, REPEAT)
    acknowledge(db_session, decision, clinician, breached + timedelta(minutes=5))

    for hours in (5, 10, 20):
        run(db_session, alert_breaches, breached + timedelta(hours=hours), REPEAT)
    run(db_session, send_pending, channel, BOARD, breached + timedelta(hours=20))

    assert len(smtp_sink.to(clinician.email)) == 1


def test_claiming_the_case_acknowledges_its_alerts(client, app_client, engine, leaves_no_rows):
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
