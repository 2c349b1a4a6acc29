"""Staff sign-in: argon2id hashes, one answer for every failure, limits, sessions that end."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

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


def test_repeated_failures_lock_the_account_with_a_clear_message_even_for_the_right_password(
    app_client, engine
):
    user = make_user(engine, "clinician")
    for _ in range(Limits().per_account):
        assert attempt(app_client, user.email, "guess").status_code == 401

    locked = attempt(app_client, user.email, PASSWORD)

    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.json()["detail"]
    assert int(locked.headers["Retry-After"]) > 0


def test_an_unknown_account_locks_exactly_like_a_real_one(app_client):
    for _ in range(Limits().per_account):
        attempt(app_client, "ghost@example.com", "guess")

    assert attempt(app_client, "ghost@example.com", "guess").status_code == 429


def test_failures_from_one_address_are_limited_across_accounts(app_client, engine):
    app_client.app.state.sign_in_limits = Limits(per_account=100, per_address=3)
    for i in range(3):
        attempt(app_client, f"spray{i}@example.com", "guess")

    user = make_user(engine, "clinician")
    assert attempt(app_client, user.email, PASSWORD).status_code == 429


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
    app_client.app.state.signed_in = SignedInCache(seconds=0.3)
    token = sign_in(app_client, make_user(engine, "clinician").email)
    assert app_client.get("/auth/me", headers=bearer(token)).status_code == 200  # remembered
    with engine.begin() as conn:  # what a sign-out served by another API process writes
        conn.execute(text("UPDATE auth_sessions SET revoked_at = now()"))

    time.sleep(0.4)

    assert app_client.get("/auth/me", headers=bearer(token)).status_code == 401


def test_no_credentials_is_401_and_says_to_sign_in(app_client):
    response = app_client.get("/auth/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
