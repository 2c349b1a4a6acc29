"""Staff one-time codes (TOTP): optional for staff, required of admins, each code used once,
secrets kept encrypted. Codes are made by pyotp at the instant the app's clock is set to."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import text

from services.intake.auth import totp
from services.intake.auth.rate_limit import Limits
from tests.integration.auth_helpers import PASSWORD, bearer, make_user, sign_in

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 21, 9, 0, 10, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(app_client) -> Clock:
    app_client.app.state.clock = clock = Clock(NOW)
    return clock


def password_only(client, email: str, code: str | None = None):
    body = {"email": email, "password": PASSWORD} | ({"code": code} if code else {})
    return client.post("/auth/sign-in", json=body)


def enrolled_admin(client, engine, clock: Clock) -> tuple[str, str]:
    """An admin who has set up a code at NOW (using NOW's code); their email and secret."""
    email = make_user(engine, "admin").email
    set_up = password_only(client, email).json()
    confirmed = client.post("/auth/sign-in/enrol", json={
        "enrolment_token": set_up["enrolment_token"],
        "code": pyotp.TOTP(set_up["secret"]).at(clock.now)})
    assert confirmed.status_code == 200, confirmed.text
    return email, set_up["secret"]


def test_an_admin_without_a_code_is_not_signed_in_on_a_password_alone(app_client, engine,
                                                                    clock):
    email = make_user(engine, "admin").email

    answer = password_only(app_client, email)

    assert answer.status_code == 403
    body = answer.json()
    assert "token" not in body and "clinic_session" not in answer.cookies
    assert body["otpauth_uri"].startswith("otpauth://totp/Ankle%20Clinic:")
    assert f"secret={body['secret']}" in body["otpauth_uri"]
    assert answer.headers["Cache-Control"] == "no-store"


def test_an_admins_first_code_confirms_the_set_up_and_later_sign_ins_need_a_code(
    app_client, engine, clock
):
    email, secret = enrolled_admin(app_client, engine, clock)
    clock.now += timedelta(minutes=5)

    without_code = password_only(app_client, email)
    with_code = password_only(app_client, email, pyotp.TOTP(secret).at(clock.now))

    assert without_code.status_code == 401 and without_code.json()["code_required"] is True
    assert with_code.status_code == 200
    me = app_client.get("/auth/me", headers=bearer(with_code.json()["token"])).json()
    assert me["role"] == "admin"


def test_a_wrong_first_code_does_not_finish_the_set_up(app_client, engine, clock):
    email = make_user(engine, "admin").email
    set_up = password_only(app_client, email).json()
    wrong = pyotp.TOTP(set_up["secret"]).at(clock.now + timedelta(minutes=10))

    answer = app_client.post("/auth/sign-in/enrol", json={
        "enrolment_token": set_up["enrolment_token"], "code": wrong})

    assert answer.status_code == 401 and answer.json()["code_required"] is True
    assert password_only(app_client, email).status_code == 403  # still has to set one up


def test_an_enrolment_ticket_expires(app_client, engine, clock):
    email = make_user(engine, "admin").email
    set_up = password_only(app_client, email).json()
    clock.now += timedelta(minutes=6)

    answer = app_client.post("/auth/sign-in/enrol", json={
        "enrolment_token": set_up["enrolment_token"],
        "code": pyotp.TOTP(set_up["secret"]).at(clock.now)})

    assert answer.status_code == 401 and "expired" in answer.json()["detail"]


def test_a_code_that_was_used_is_refused_for_the_rest_of_its_window(app_client, engine, clock):
    email, secret = enrolled_admin(app_client, engine, clock)
    clock.now += timedelta(minutes=1)
    code = pyotp.TOTP(secret).at(clock.now)
    assert password_only(app_client, email, code).status_code == 200

    clock.now += timedelta(seconds=5)  # same 30-second step
    replayed = password_only(app_client, email, code)
    earlier = password_only(app_client, email,
                            pyotp.TOTP(secret).at(clock.now - timedelta(seconds=30)))

    assert replayed.status_code == earlier.status_code == 401
    assert replayed.json()["code_required"] is True


def test_a_code_from_another_time_is_refused(app_client, engine, clock):
    email, secret = enrolled_admin(app_client, engine, clock)

    stale = pyotp.TOTP(secret).at(clock.now + timedelta(minutes=2))

    assert password_only(app_client, email, stale).status_code == 401


def test_wrong_codes_count_as_failed_sign_ins(app_client, engine, clock):
    email, secret = enrolled_admin(app_client, engine, clock)
    clock.now += timedelta(minutes=1)
    for guess in range(Limits().per_pair):
        assert password_only(app_client, email, f"{guess:06d}").status_code == 401

    right = password_only(app_client, email, pyotp.TOTP(secret).at(clock.now))

    assert right.status_code == 429


def test_staff_may_set_up_a_code_and_are_asked_for_it_from_then_on(app_client, engine, clock):
    user = make_user(engine, "clinician")
    session = bearer(sign_in(app_client, user.email))
    set_up = app_client.post("/auth/totp", headers=session).json()
    code = pyotp.TOTP(set_up["secret"]).at(clock.now)

    wrong = app_client.post("/auth/totp/confirm", json={"code": "000000"}, headers=session)
    right = app_client.post("/auth/totp/confirm", json={"code": code}, headers=session)

    assert wrong.status_code == 422 and right.status_code == 204
    clock.now += timedelta(minutes=1)
    assert password_only(app_client, user.email).status_code == 401
    assert password_only(app_client, user.email,
                         pyotp.TOTP(set_up["secret"]).at(clock.now)).status_code == 200
    again = app_client.post("/auth/totp", headers=session)
    assert again.status_code == 409  # not replaced by whoever holds a session


def test_staff_without_a_code_still_sign_in_with_a_password(app_client, engine, clock):
    assert password_only(app_client, make_user(engine, "front_desk").email).status_code == 200


def test_the_secret_is_stored_encrypted_and_never_logged(app_client, engine, clock, settings,
                                                        caplog):
    caplog.set_level(logging.DEBUG)
    email, secret = enrolled_admin(app_client, engine, clock)

    with engine.connect() as conn:
        stored = conn.execute(text("SELECT totp_secret FROM users WHERE email = :email"),
                              {"email": email}).scalar()

    assert secret not in stored
    assert totp.decrypt(settings.secret_key, stored) == secret
    assert secret not in caplog.text


def test_the_sign_in_page_asks_for_the_code_of_an_account_that_has_one(app_client, engine,
                                                                        clock):
    email, secret = enrolled_admin(app_client, engine, clock)
    clock.now += timedelta(minutes=1)
    app_client.cookies.clear()
    csrf = page_csrf(app_client)

    asked = app_client.post("/sign-in", data={"email": email, "password": PASSWORD,
                                              "csrf_token": csrf, "next": "/staff"})
    assert "clinic_session" not in asked.cookies
    assert 'autocomplete="one-time-code"' in asked.text
    ticket = re.search(r'name="ticket" value="([^"]+)"', asked.text).group(1)
    wrong = app_client.post("/sign-in/code", data={"ticket": ticket, "code": "000000",
                                                   "csrf_token": csrf, "next": "/staff"})
    right = app_client.post("/sign-in/code", follow_redirects=False, data={
        "ticket": ticket, "code": pyotp.TOTP(secret).at(clock.now), "csrf_token": csrf,
        "next": "/staff"})

    assert wrong.status_code == 401 and "clinic_session" not in wrong.cookies
    assert right.status_code == 303 and "clinic_session" in right.cookies


def test_an_admins_first_page_sign_in_shows_the_code_to_set_up_once(app_client, engine, clock):
    email = make_user(engine, "admin").email
    csrf = page_csrf(app_client)

    page = app_client.post("/sign-in", data={"email": email, "password": PASSWORD,
                                             "csrf_token": csrf, "next": "/staff"})
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    ticket = re.search(r'name="ticket" value="([^"]+)"', page.text).group(1)
    confirmed = app_client.post("/sign-in/enrol", follow_redirects=False, data={
        "ticket": ticket, "code": pyotp.TOTP(secret).at(clock.now), "csrf_token": csrf,
        "next": "/staff"})

    assert "<svg" in page.text and page.headers["Cache-Control"] == "no-store"
    assert "clinic_session" not in page.cookies
    assert confirmed.status_code == 303 and "clinic_session" in confirmed.cookies


def page_csrf(client) -> str:
    client.get("/sign-in")
    return client.cookies.get("clinic_csrf")
