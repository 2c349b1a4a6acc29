"""Delivery over a real SMTP server and a stand-in SMS provider: links, retries, the failed
list, quiet hours across a DST change, and opt-outs."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from services.intake.app import create_app
from services.notify.dispatcher import dispatch_due, open_channels
from services.notify.service import NotifyConfig, Outcome, case_routed
from shared.clock import utcnow
from shared.contracts import CaseRouted
from shared.db import sync_session
from shared.failed_deliveries import failed_deliveries
from shared.patient_links import ExpiredLink, InvalidLink, read_link
from tests.integration.notify_support import (
    DIAGNOSIS_WORDS,
    add_decision,
    add_due_follow_ups,
    add_patient,
    sms_provider,
)

pytestmark = pytest.mark.integration

NOON = datetime(2026, 6, 1, 11, tzinfo=UTC)  # 12:00 in London: outside quiet hours
LINK = re.compile(r"https?://\S+")


@pytest.fixture
def provider():
    with sms_provider() as provider:
        yield provider


@pytest.fixture
def notify_settings(settings, smtp_sink, provider, clean_database):
    return settings.model_copy(update={
        "smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port, "sms_endpoint": provider.url,
        "sms_api_key": "test-key", "delivery_max_attempts": 3,
        "delivery_retry_base_seconds": 60.0})


def dispatch(engine, settings, now: datetime):
    with open_channels(settings) as channels:
        return dispatch_due(engine, channels, NotifyConfig.from_settings(settings), now, 1000)


def links(text_: str) -> dict[str, str]:
    return {urlparse(u).path: parse_qs(urlparse(u).query)["token"][0] for u in LINK.findall(text_)}


def failed_list(engine):
    with sync_session(engine) as session:
        return failed_deliveries(session)


def deliveries(engine):
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT channel, attempt, status, error FROM deliveries ORDER BY attempt, channel"
        )).all()


def test_email_and_sms_arrive_with_a_signed_check_in_link_and_no_diagnosis(
    engine, notify_settings, smtp_sink, provider
):
    patient = add_patient(engine, given_name="Rosa", email="rosa@example.com",
                          phone="+44 7700 900123")
    [follow_up] = add_due_follow_ups(engine, patient, NOON)

    assert dispatch(engine, notify_settings, NOON)[Outcome.SENT] == 1

    [mail] = smtp_sink.to("rosa@example.com")
    email_body = mail.get_payload(decode=True).decode()
    [sms] = provider.delivered()
    assert sms["to"] == "+447700900123"
    assert provider.requests[0]["headers"]["Authorization"] == "Bearer test-key"
    for body in (email_body, sms["body"]):
        assert "Rosa" in body
        assert not [w for w in DIAGNOSIS_WORDS if w in body.lower()]
        token = links(body)["/check-in"]
        link = read_link(notify_settings.secret_key, token, now=NOON + timedelta(days=1))
        assert (link.patient_id, link.purpose, link.follow_up_id) == (
            patient.id, "check_in", follow_up.id)
        with pytest.raises(InvalidLink):
            read_link(notify_settings.secret_key, token[:-2] + ("A" if token[-2] != "A" else "B")
                      + token[-1], now=NOON)
        with pytest.raises(ExpiredLink):
            read_link(notify_settings.secret_key, token, now=NOON + timedelta(days=15))
    assert [(d.channel, d.status) for d in deliveries(engine)] == [("email", "sent"), ("sms", "sent")]


def test_a_provider_failing_twice_is_retried_with_backoff_and_succeeds_on_the_third_try(
    engine, notify_settings, provider
):
    provider.statuses = [503, 503, 202]
    patient = add_patient(engine, phone="+15550100001")
    add_due_follow_ups(engine, patient, NOON)

    assert dispatch(engine, notify_settings, NOON) == {Outcome.RETRY: 1}
    # The first backoff is 60 s (plus up to 10% jitter): not yet at 59 s, surely by 70 s.
    assert dispatch(engine, notify_settings, NOON + timedelta(seconds=59)) == {}
    assert dispatch(engine, notify_settings, NOON + timedelta(seconds=70)) == {Outcome.RETRY: 1}
    assert dispatch(engine, notify_settings, NOON + timedelta(seconds=70 + 110)) == {}
    assert dispatch(engine, notify_settings, NOON + timedelta(seconds=70 + 135)) == {
        Outcome.SENT: 1}

    assert [(d.attempt, d.status, d.error) for d in deliveries(engine)] == [
        (1, "failed", "http 503"), (2, "failed", "http 503"), (3, "sent", None)]
    assert len(provider.delivered()) == 1
    assert failed_list(engine) == []


def test_a_provider_that_always_fails_ends_on_the_failed_list_after_the_configured_tries(
    engine, notify_settings, provider
):
    provider.statuses = [500]
    patient = add_patient(engine, phone="+15550100002")
    [follow_up] = add_due_follow_ups(engine, patient, NOON)

    outcomes = [dispatch(engine, notify_settings, NOON + timedelta(hours=h)) for h in range(5)]

    assert outcomes == [{Outcome.RETRY: 1}, {Outcome.RETRY: 1}, {Outcome.FAILED: 1}, {}, {}]
    assert len(provider.requests) == notify_settings.delivery_max_attempts == 3
    [failed] = failed_list(engine)
    assert (failed.follow_up_id, failed.case_id, failed.channel, failed.attempts) == (
        follow_up.id, follow_up.case_id, "sms", 3)
    assert failed.last_error == "http 500"
    assert failed.last_attempt_at == NOON + timedelta(hours=2)


def test_a_provider_refusing_the_message_is_not_retried(engine, notify_settings, provider):
    provider.statuses = [400]
    patient = add_patient(engine, phone="+15550100003")
    add_due_follow_ups(engine, patient, NOON)

    assert dispatch(engine, notify_settings, NOON) == {Outcome.FAILED: 1}
    assert dispatch(engine, notify_settings, NOON + timedelta(days=1)) == {}

    assert len(provider.requests) == 1
    assert [(f.attempts, f.last_error) for f in failed_list(engine)] == [(1, "http 400")]


def test_an_unreachable_provider_is_transient(engine, notify_settings):
    down = notify_settings.model_copy(update={"sms_endpoint": "http://127.0.0.1:1/messages"})
    patient = add_patient(engine, phone="+15550100004")
    add_due_follow_ups(engine, patient, NOON)

    assert dispatch(engine, down, NOON) == {Outcome.RETRY: 1}
    assert deliveries(engine)[0].error == "ConnectError"


def test_when_email_is_sent_and_sms_fails_only_sms_is_retried(
    engine, notify_settings, smtp_sink, provider
):
    provider.statuses = [503, 202]
    patient = add_patient(engine, email="both@example.com", phone="+15550100005")
    add_due_follow_ups(engine, patient, NOON)

    dispatch(engine, notify_settings, NOON)
    dispatch(engine, notify_settings, NOON + timedelta(hours=1))

    assert len(smtp_sink.to("both@example.com")) == 1
    assert len(provider.delivered()) == 1


def test_a_reminder_due_at_three_local_goes_at_eight_local_across_the_spring_dst_change(
    engine, notify_settings, smtp_sink
):
    # London's clocks go forward at 01:00 UTC on 29 March 2026: 03:00 BST is 02:00 UTC.
    patient = add_patient(engine, email="early@example.com", timezone="Europe/London")
    decision = add_decision(engine, patient, datetime(2026, 3, 28, 2, tzinfo=UTC),
                            [{"after_days": 1, "purpose": "check in"}])
    with sync_session(engine) as session, session.begin():
        case_routed(session, CaseRouted(message_id=decision.id, case_id=decision.case_id,
                                        decision_id=decision.id),
                    NotifyConfig.from_settings(notify_settings), utcnow())
    with engine.connect() as conn:
        row = conn.execute(text("SELECT due_at, next_attempt_at FROM follow_ups")).one()
    assert row.due_at == datetime(2026, 3, 29, 2, tzinfo=UTC)  # 03:00 BST
    assert row.next_attempt_at == datetime(2026, 3, 29, 7, tzinfo=UTC)  # 08:00 BST

    assert dispatch(engine, notify_settings, datetime(2026, 3, 29, 6, 59, tzinfo=UTC)) == {}
    assert smtp_sink.messages == []
    assert dispatch(engine, notify_settings, datetime(2026, 3, 29, 7, tzinfo=UTC)) == {
        Outcome.SENT: 1}
    assert len(smtp_sink.to("early@example.com")) == 1


def test_an_overdue_reminder_found_in_the_night_waits_for_the_morning_after_the_autumn_change(
    engine, notify_settings, smtp_sink
):
    # New York's clocks go back at 06:00 UTC on 1 November 2026; 03:00 EST is 08:00 UTC.
    patient = add_patient(engine, email="ny@example.com", timezone="America/New_York")
    add_due_follow_ups(engine, patient, datetime(2026, 10, 31, 12, tzinfo=UTC))

    night = datetime(2026, 11, 1, 8, tzinfo=UTC)
    assert dispatch(engine, notify_settings, night) == {Outcome.DEFERRED: 1}
    assert dispatch(engine, notify_settings, datetime(2026, 11, 1, 12, 59, tzinfo=UTC)) == {}
    assert dispatch(engine, notify_settings, datetime(2026, 11, 1, 13, tzinfo=UTC)) == {
        Outcome.SENT: 1}  # 08:00 EST
    assert len(smtp_sink.messages) == 1


@pytest.fixture
def intake(notify_settings):
    """The intake API, which receives opt-outs; it shares the secret key with notify."""
    with TestClient(create_app(notify_settings.model_copy(
            update={"sms_webhook_secret": "webhook-secret"}))) as client:
        yield client


def stop_reply(intake, number: str, body: str):
    return intake.post("/sms/inbound", json={"from": number, "body": body},
                       headers={"X-Webhook-Secret": "webhook-secret"})


def test_a_stop_reply_means_sms_is_never_used_again(engine, notify_settings, smtp_sink, provider,
                                                    intake):
    patient = add_patient(engine, email="stop@example.com", phone="+44 7700 900999")
    add_due_follow_ups(engine, patient, NOON, count=2)
    assert stop_reply(intake, "+447700900999", "hello").json() == {"opted_out": 0}
    assert stop_reply(intake, "+447700900999", " Stop ").json() == {"opted_out": 1}
    assert stop_reply(intake, "+447700900999", "STOP").json() == {"opted_out": 1}  # no-op repeat

    assert dispatch(engine, notify_settings, NOON) == {Outcome.SENT: 2}

    assert provider.requests == []
    assert len(smtp_sink.to("stop@example.com")) == 2


def test_the_sms_webhook_refuses_a_caller_without_the_secret(intake):
    response = intake.post("/sms/inbound", json={"from": "+447700900999", "body": "STOP"},
                           headers={"X-Webhook-Secret": "guess"})
    assert response.status_code == 401


def test_an_opt_out_link_stops_email_and_with_no_channel_left_the_reminder_fails(
    engine, notify_settings, smtp_sink, provider, intake
):
    patient = add_patient(engine, email="link@example.com")
    add_due_follow_ups(engine, patient, NOON)
    dispatch(engine, notify_settings, NOON)
    [mail] = smtp_sink.to("link@example.com")
    token = links(mail.get_payload(decode=True).decode())["/opt-out"]

    tampered = intake.post("/opt-out", json={"token": token + "x", "channel": "email"})
    assert tampered.status_code == 401
    assert intake.post("/opt-out", json={"token": token, "channel": "email"}).status_code == 200
    add_due_follow_ups(engine, patient, NOON + timedelta(days=7))

    assert dispatch(engine, notify_settings, NOON + timedelta(days=7)) == {Outcome.FAILED: 1}
    assert len(smtp_sink.to("link@example.com")) == 1
    assert [f.last_error for f in failed_list(engine)] == ["no_usable_channel"]


def test_a_check_in_link_cannot_be_used_to_opt_out(engine, notify_settings, smtp_sink, intake):
    patient = add_patient(engine, email="purpose@example.com")
    add_due_follow_ups(engine, patient, NOON)
    dispatch(engine, notify_settings, NOON)
    token = links(smtp_sink.messages[0].get_payload(decode=True).decode())["/check-in"]

    assert intake.post("/opt-out", json={"token": token, "channel": "email"}).status_code == 401
