"""Staff sign-in: argon2id hashes, one answer for every failure, limits, sessions that end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from services.intake.app import create_app
from services.intake.auth.rate_limit import Limits
from services.intake.auth.signed_in_cache import SignedInCache
from tests.integration.auth_helpers import PASSWORD, bearer, make_user, sign_in

pytestmark = pytest.mark.integration


def attempt(client, email: str, password: str):
    return client.post("/auth/sign-in", json={"email": email, "password": password})


def test_passwords_are_stored_as_argon2id_at_the_owasp_minimum(app_client, engine):
    user = make_user(engine, "clinician")
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users WHERE id = :id"),
                              {"id": user.id}).scalar()
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in stored


def test_a_right_password_gives_a_token_that_opens_the_api(app_client, engine):
    user = make_user(engine, "clinician")

    token = sign_in(app_client, user.email)

    me = app_client.get("/auth/me", headers=bearer(token)).json()
    assert me["role"] == "clinician" and me["user_id"] == str(user.id)


def test_wrong_password_and_unknown_account_get_the_same_answer(app_client, engine):
    user = make_user(engine, "clinician")

    wrong = attempt(app_client, user.email, "not the password")
    unknown = attempt(app_client, "nobody@example.com", "not the password")

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "Email or password is incorrect."}


def test_a_disabled_account_cannot_sign_in(app_client, engine):
    user = make_user(engine, "front_desk", active=False)

    assert attempt(app_client, user.email, PASSWORD).status_code == 401


def test_repeated_failures_from_one_address_make_that_address_wait_even_for_the_right_password(
    app_client, engine
):
    user = make_user(engine, "clinician")
    for _ in range(Limits().per_pair):
        assert attempt(app_client, user.email, "guess").status_code == 401

    waiting = attempt(app_client, user.email, PASSWORD)

    assert waiting.status_code == 429
    assert "Too many failed sign-in attempts" in waiting.json()["detail"]
    assert int(waiting.headers["Retry-After"]) > 0


def test_an_unknown_account_is_slowed_exactly_like_a_real_one(app_client):
    for _ in range(Limits().per_pair):
        attempt(app_client, "ghost@example.com", "guess")

    assert attempt(app_client, "ghost@example.com", "guess").status_code == 429


@pytest.fixture
def addressed(settings, clean_database):
    """An app whose requests come from the address in the test's `X-Test-Address` header."""
    app = create_app(settings)

    async def from_test_address(scope, receive, send):
        if scope["type"] == "http":
            address = dict(scope["headers"]).get(b"x-test-address", b"192.0.2.1").decode()
            scope = {**scope, "client": (address, 50000)}
        await app(scope, receive, send)

    with TestClient(from_test_address) as client:
        yield app, client


def attempt_from(client, address: str, email: str, password: str):
    return client.post("/auth/sign-in", json={"email": email, "password": password},
                       headers={"X-Test-Address": address})


def test_an_attacker_failing_from_one_address_never_stops_the_real_user_from_another(
    addressed, engine
):
    _app, client = addressed
    user = make_user(engine, "clinician")
    answers = {attempt_from(client, "203.0.113.66", user.email, f"guess {i}").status_code
               for i in range(3 * Limits().per_pair)}
    assert answers == {401, 429}  # the attacker was slowed down

    real_user = attempt_from(client, "198.51.100.7", user.email, PASSWORD)

    assert real_user.status_code == 200, real_user.text


def test_each_further_failure_after_a_wait_doubles_the_next_wait(addressed, engine):
    app, client = addressed
    now = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    app.state.clock = lambda: now
    limits = app.state.sign_in_limits
    user = make_user(engine, "front_desk")
    for _ in range(limits.per_pair):
        attempt_from(client, "203.0.113.66", user.email, "guess")

    first = attempt_from(client, "203.0.113.66", user.email, PASSWORD)
    now += timedelta(seconds=limits.first_wait_seconds + 1)
    assert attempt_from(client, "203.0.113.66", user.email, "guess").status_code == 401
    second = attempt_from(client, "203.0.113.66", user.email, PASSWORD)

    assert first.status_code == second.status_code == 429
    assert int(first.headers["Retry-After"]) == limits.first_wait_seconds
    assert int(second.headers["Retry-After"]) == 2 * limits.first_wait_seconds


def test_one_address_failing_across_many_accounts_is_refused_for_every_account(addressed,
                                                                             engine):
    app, client = addressed
    app.state.sign_in_limits = Limits(per_pair=100, per_address=10)
    for i in range(10):  # password spraying: one guess per account
        attempt_from(client, "203.0.113.66", f"spray{i}@example.com", "Winter2026!")
    user = make_user(engine, "clinician")

    from_sprayer = attempt_from(client, "203.0.113.66", user.email, PASSWORD)
    from_elsewhere = attempt_from(client, "198.51.100.7", user.email, PASSWORD)

    assert from_sprayer.status_code == 429 and int(from_sprayer.headers["Retry-After"]) > 0
    assert from_elsewhere.status_code == 200


def test_a_complete_sign_in_forgets_that_pairs_earlier_failures(addressed, engine):
    _app, client = addressed
    user = make_user(engine, "clinician")
    for _ in range(Limits().per_pair - 1):
        attempt_from(client, "198.51.100.7", user.email, "typo")
    assert attempt_from(client, "198.51.100.7", user.email, PASSWORD).status_code == 200

    assert attempt_from(client, "198.51.100.7", user.email, "typo").status_code == 401


def test_signing_out_ends_the_session(app_client, engine):
    token = sign_in(app_client, make_user(engine, "clinician").email)

    assert app_client.post("/auth/sign-out", headers=bearer(token)).status_code == 204

    assert app_client.get("/auth/me", headers=bearer(token)).status_code == 401


def test_disabling_a_user_ends_their_open_sessions(app_client, engine):
    admin = bearer(sign_in(app_client, make_user(engine, "admin").email))
    user = make_user(engine, "clinician")
    token = sign_in(app_client, user.email)
    assert app_client.get("/auth/me", headers=bearer(token)).status_code == 200  # remembered

    response = app_client.patch(f"/users/{user.id}", json={"is_active": False}, headers=admin)

    assert response.status_code == 200
    assert app_client.get("/auth/me", headers=bearer(token)).status_code == 401


def test_a_session_revoked_by_another_process_ends_within_the_memory_window(app_client,
                                                                             engine):
    clock = ManualClock()
    app_client.app.state.signed_in = SignedInCache(seconds=0.3, timer=clock)
    token = sign_in(app_client, make_user(engine, "clinician").email)
    assert app_client.get("/auth/me", headers=bearer(token)).status_code == 200  # remembered
    with engine.begin() as conn:  # what a sign-out served by another API process writes
        conn.execute(text("UPDATE auth_sessions SET revoked_at = now()"))

    clock.now += 0.4

    assert app_client.get("/auth/me", headers=bearer(token)).status_code == 401


def test_no_credentials_is_401_and_says_to_sign_in(app_client):
    response = app_client.get("/auth/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


class ManualClock:
    """The memory's clock, moved by the test instead of waited for."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now
