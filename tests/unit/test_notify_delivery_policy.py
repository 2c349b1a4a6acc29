"""Retry backoff, channel choice and message templates: no servers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.notify.contact import Route, choose_routes, normalise_phone
from services.notify.messages import render
from services.notify.retry import RetryPolicy

POLICY = RetryPolicy(max_attempts=4, base=timedelta(minutes=5), cap=timedelta(minutes=30))


def test_the_delay_doubles_after_each_failed_attempt_up_to_the_cap():
    assert [POLICY.delay(n) for n in (1, 2, 3, 4, 5)] == [
        timedelta(minutes=m) for m in (5, 10, 20, 30, 30)]


def test_jitter_adds_at_most_a_tenth():
    assert POLICY.delay(1, jitter=0.999) < timedelta(minutes=5.5)
    assert POLICY.delay(1, jitter=0.5) > POLICY.delay(1)


def test_the_policy_gives_up_after_the_configured_attempts():
    assert not POLICY.exhausted(3)
    assert POLICY.exhausted(4)


def test_a_patient_with_email_and_phone_is_reached_on_both():
    routes = choose_routes("a@example.com", "+44 7700 900123", set(), {"email", "sms"})

    assert routes == [Route("email", "a@example.com"), Route("sms", "+447700900123")]


def test_an_opted_out_channel_is_never_chosen():
    routes = choose_routes("a@example.com", "+447700900123", {"sms"}, {"email", "sms"})

    assert [r.channel for r in routes] == ["email"]


def test_no_sms_without_a_provider_or_a_phone():
    assert [r.channel for r in choose_routes("a@example.com", "+1 555", set(), {"email"})] == [
        "email"]
    assert choose_routes(None, None, set(), {"email", "sms"}) == []


def test_phone_numbers_are_compared_in_their_dialable_form():
    assert normalise_phone(" +1 (555) 010-9999 ") == "+15550109999"
    assert normalise_phone("07700 900123") == "07700900123"


@pytest.mark.parametrize("channel", ["email", "sms"])
@pytest.mark.parametrize("language", ["en", "es", "es-MX", "fr"])
def test_every_language_and_channel_renders_the_greeting_and_the_link(channel, language):
    message = render("check_in", language, channel, given_name="Ana",
                     link="https://x/check-in?token=T", opt_out_link="https://x/opt-out?token=O")

    assert "Ana" in message.body and "https://x/check-in?token=T" in message.body
    assert (message.subject is None) == (channel == "sms")


def test_spanish_patients_get_the_spanish_text():
    assert "Hola" in render("check_in", "es", "email", given_name="Ana", link="L",
                            opt_out_link="O").body
