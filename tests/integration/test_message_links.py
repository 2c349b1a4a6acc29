"""Every link a message carries leads somewhere: each template, in every language and on every
channel, and the staff alert, is sent for real, and each link in it is followed against the
real intake app (staff alerts linked to /board, a 404; the unsubscribe link answered 405).
The unsubscribe link opens a confirmation page in the patient's language, and every email
carries RFC 8058's one-click unsubscribe headers, which work without a browser session."""

from __future__ import annotations

import re
from datetime import time
from email.message import Message
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from services.intake.app import create_app
from services.notify.channels.email import EmailChannel
from services.notify.dispatcher import dispatch_due, open_channels
from services.notify.messages import TEMPLATES
from services.notify.service import NotifyConfig, Outcome
from services.notify.staff_alerts import alert_if_emergency, send_pending
from shared.clock import utcnow
from shared.db import sync_session
from shared.models import TriageDecision
from shared.public_paths import STAFF_BOARD
from tests.integration.auth_helpers import make_user
from tests.integration.notify_support import add_due_follow_ups, add_patient, sms_provider

pytestmark = pytest.mark.integration

URL = re.compile(r"https?://[^\s>]+")
# Every (language, channel) a template exists for: the messages patients can be sent.
TEMPLATE_FILES = sorted((path.parent.name, path.name.split(".")[1])
                        for path in TEMPLATES.glob("*/*.txt"))
LANGUAGES = sorted({language for language, _channel in TEMPLATE_FILES})


@pytest.fixture
def provider():
    with sms_provider() as provider:
        yield provider


@pytest.fixture
def notify_settings(settings, smtp_sink, provider, clean_database):
    return settings.model_copy(update={
        "smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port, "sms_endpoint": provider.url,
        "sms_api_key": "test-key", "public_url": "https://clinic.example",
        # Links are signed at the real time so the intake app, on the real clock, accepts them.
        "quiet_hours_start": time(0), "quiet_hours_end": time(0)})


@pytest.fixture
def intake(notify_settings):
    with TestClient(create_app(notify_settings)) as client:
        yield client


def send_check_ins(engine, settings, language: str, **contact) -> None:
    patient = add_patient(engine, preferred_language=language, **contact)
    add_due_follow_ups(engine, patient, utcnow())
    with open_channels(settings) as channels:
        outcomes = dispatch_due(engine, channels, NotifyConfig.from_settings(settings), utcnow(),
                                100)
    assert outcomes == {Outcome.SENT: 1}


def body_of(mail: Message) -> str:
    return mail.get_payload(decode=True).decode()


def follow(intake: TestClient, url: str, settings):
    assert url.startswith(settings.public_url + "/"), url
    parts = urlsplit(url)
    intake.cookies.clear()  # a link is opened from a mail client, not a signed-in browser
    return intake.get(f"{parts.path}?{parts.query}" if parts.query else parts.path)


def test_every_link_in_every_message_opens_a_page(engine, notify_settings, smtp_sink, provider,
                                                  intake):
    sent: dict[tuple[str, str], list[str]] = {}
    for language in LANGUAGES:
        address = f"links-{language}@example.com"
        send_check_ins(engine, notify_settings, language, email=address, phone="+447700900123")
        [mail] = smtp_sink.to(address)
        sent[(language, "email")] = URL.findall(body_of(mail)) + URL.findall(
            mail["List-Unsubscribe"])
        sent[(language, "sms")] = URL.findall(provider.delivered()[-1]["body"])
    make_user(engine, "clinician")
    emergency = add_due_follow_ups(engine, add_patient(engine), utcnow())[0]
    with sync_session(engine) as session, session.begin():
        decision = session.get(TriageDecision, emergency.decision_id)
        decision.urgency = "emergency"
        alert_if_emergency(session, decision, utcnow())
    with sync_session(engine) as session, session.begin():
        send_pending(session, EmailChannel(notify_settings),
                     STAFF_BOARD.url(notify_settings.public_url), utcnow())
    [alert] = [m for m in smtp_sink.messages if m["Subject"].startswith("Emergency")]
    sent[("staff alert", "email")] = URL.findall(body_of(alert))

    assert set(TEMPLATE_FILES) <= set(sent)
    for (language, channel), urls in sent.items():
        assert urls, (language, channel)
        for url in urls:
            answer = follow(intake, url, notify_settings)
            assert answer.status_code == 200, (language, channel, url, answer.status_code)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_unsubscribe_link_asks_in_the_patients_language_and_changes_nothing_until_confirmed(
        engine, notify_settings, smtp_sink, intake, language):
    send_check_ins(engine, notify_settings, language, email="ask@example.com")
    [mail] = smtp_sink.to("ask@example.com")
    [link] = [u for u in URL.findall(body_of(mail)) if "/opt-out?" in u]
    token = parse_qs(urlsplit(link).query)["token"][0]

    page = follow(intake, link, notify_settings)

    assert page.status_code == 200
    assert [r.status_code for r in page.history] == [303]  # the token traded for a session
    assert page.url.path == "/opt-out" and page.url.query == b"channel=email"
    assert f'<html lang="{language}">' in page.text
    assert len(re.findall(r"<form\b", page.text)) == 1
    assert re.search(r'<form method="post" action="/opt-out"', page.text)
    assert len(re.findall(r"<button\b", page.text)) == 1
    assert token not in page.text and token.split(".")[-1] not in page.text
    assert opted_out(engine) == []

    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.text))
    assert set(form) == {"csrf_token", "channel"}
    confirmed = intake.post("/opt-out", data=form)  # the page session, from the cookie

    assert confirmed.status_code == 200 and f'<html lang="{language}">' in confirmed.text
    assert opted_out(engine) == ["email"]


def opted_out(engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT channel FROM channel_opt_outs")).scalars())


def test_every_email_offers_one_click_unsubscribe_that_works_without_a_session(
        engine, notify_settings, smtp_sink, intake):
    for language in LANGUAGES:
        send_check_ins(engine, notify_settings, language, email=f"one-{language}@example.com")
    mails = smtp_sink.messages
    assert len(mails) == len(LANGUAGES)

    for mail in mails:
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        [url] = URL.findall(mail["List-Unsubscribe"])
        assert re.fullmatch(r"<https://[^>]+>", mail["List-Unsubscribe"].strip())
        assert url in body_of(mail)  # the same link the patient can click
        parts = urlsplit(url)
        intake.cookies.clear()
        # What a mail client sends (RFC 8058 section 3.2): no cookies, no CSRF token.
        answer = intake.post(f"{parts.path}?{parts.query}",
                             data={"List-Unsubscribe": "One-Click"})
        assert answer.status_code == 200, answer.text[:300]
    assert opted_out(engine) == ["email"] * len(LANGUAGES)


def test_a_one_click_post_with_a_tampered_link_stops_nothing(engine, notify_settings, smtp_sink,
                                                             intake):
    send_check_ins(engine, notify_settings, "en", email="tamper@example.com")
    [url] = URL.findall(smtp_sink.messages[0]["List-Unsubscribe"])
    parts = urlsplit(url.replace("token=", "token=x"))

    answer = intake.post(f"{parts.path}?{parts.query}", data={"List-Unsubscribe": "One-Click"})

    assert answer.status_code == 401
    assert opted_out(engine) == []
