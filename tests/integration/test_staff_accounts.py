"""Admins managing staff accounts: the clinic always keeps an active admin, and a lost
authenticator can be reset."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest
from sqlalchemy import text

from tests.integration.auth_helpers import PASSWORD, bearer, make_user, sign_in

pytestmark = pytest.mark.integration


def only_admin(app_client, engine):
    admin = make_user(engine, "admin")
    return admin, bearer(sign_in(app_client, admin.email))


@pytest.mark.parametrize("change", [{"role": "clinician"}, {"is_active": False}],
                         ids=["demote", "deactivate"])
def test_the_only_admin_cannot_demote_or_deactivate_themselves(app_client, engine, change):
    admin, headers = only_admin(app_client, engine)

    answer = app_client.patch(f"/users/{admin.id}", json=change, headers=headers)

    assert answer.status_code == 409
    assert "only active admin" in answer.json()["detail"][0]["msg"]
    with engine.connect() as conn:
        role, active = conn.execute(text("SELECT role, is_active FROM users WHERE id = :id"),
                                    {"id": admin.id}).one()
    assert (role, active) == ("admin", True)
    assert app_client.get("/users", headers=headers).status_code == 200  # still signed in


def test_an_admin_may_step_down_once_another_active_admin_exists(app_client, engine):
    admin, headers = only_admin(app_client, engine)
    make_user(engine, "admin", active=False)  # a disabled admin does not count
    assert app_client.patch(f"/users/{admin.id}", json={"role": "clinician"},
                            headers=headers).status_code == 409
    make_user(engine, "admin")

    answer = app_client.patch(f"/users/{admin.id}", json={"role": "clinician"}, headers=headers)

    assert answer.status_code == 200 and answer.json()["role"] == "clinician"


def test_renaming_the_only_admin_is_allowed(app_client, engine):
    admin, headers = only_admin(app_client, engine)

    answer = app_client.patch(f"/users/{admin.id}", json={"display_name": "Head of clinic",
                                                          "role": "admin"}, headers=headers)

    assert answer.status_code == 200


def test_resetting_a_lost_one_time_code_ends_sessions_and_asks_for_a_new_set_up(app_client,
                                                                                engine):
    _admin, headers = only_admin(app_client, engine)
    user = make_user(engine, "clinician")
    session = bearer(sign_in(app_client, user.email))
    set_up = app_client.post("/auth/totp", headers=session).json()
    app_client.post("/auth/totp/confirm", headers=session,
                    json={"code": pyotp.TOTP(set_up["secret"]).now()})
    assert app_client.get("/users", headers=headers).json()[-1]["one_time_code"] is True

    answer = app_client.patch(f"/users/{user.id}", json={"reset_one_time_code": True},
                              headers=headers)

    assert answer.status_code == 200 and answer.json()["one_time_code"] is False
    assert app_client.get("/auth/me", headers=session).status_code == 401
    again = app_client.post("/auth/sign-in", json={"email": user.email, "password": PASSWORD})
    assert again.status_code == 200  # a clinician's code is optional: password alone again


def test_two_admins_demoting_each_other_at_once_leave_one_admin(app_client, engine):
    first, headers = only_admin(app_client, engine)
    second = make_user(engine, "admin")
    with engine.connect() as other_request:  # the second admin's demotion, not yet committed
        other_request.execute(text("UPDATE users SET role = 'clinician' WHERE id = :id"),
                              {"id": second.id})
        with ThreadPoolExecutor(max_workers=1) as pool:
            demotion = pool.submit(app_client.patch, f"/users/{first.id}",
                                   json={"role": "clinician"}, headers=headers)
            wait_until(lambda: waiting_for_a_lock(engine) or demotion.done())
            other_request.commit()
            answer = demotion.result(timeout=10)

    assert answer.status_code == 409
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM users WHERE role = 'admin' "
                                 "AND is_active")).scalar() == 1


def waiting_for_a_lock(engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE "
                                 "datname = current_database() AND wait_event_type = 'Lock'")
                            ).scalar() > 0


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.01)
