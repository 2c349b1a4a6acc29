"""Acting as each role in tests: staff accounts signed in for real, patients via signed links."""

from __future__ import annotations

import time
import uuid

import pyotp
from sqlalchemy import Engine

from services.intake.auth.passwords import hash_password
from shared.db import sync_session
from shared.models import User
from shared.patient_links import PatientLink, sign_link
from shared.settings import Settings

PASSWORD = "correct horse battery staple"
_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per test session


def make_user(engine: Engine, role: str, *, email: str | None = None, active: bool = True) -> User:
    user = User(email=email or f"{role}-{uuid.uuid4().hex[:8]}@example.com",
                display_name=f"Test {role}", role=role, password_hash=_HASH, is_active=active)
    with sync_session(engine) as session, session.begin():
        session.add(user)
    return user


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# The one-time-code secret of each account these helpers enrolled (admins must have one), and
# the last time step used, so a second sign-in in the same 30 seconds sends a fresh code.
ONE_TIME_CODES: dict[str, tuple[str, int]] = {}


def sign_in(client, email: str, password: str = PASSWORD) -> str:
    """Signs in as a person would; an admin's first sign-in sets up a one-time code."""
    body = {"email": email, "password": password}
    if email.lower() in ONE_TIME_CODES:
        body["code"] = next_code(email)
    response = client.post("/auth/sign-in", json=body)
    if response.status_code == 403 and "enrolment_token" in response.json():
        enrolment = response.json()
        ONE_TIME_CODES[email.lower()] = (enrolment["secret"], 0)
        response = client.post("/auth/sign-in/enrol", json={
            "enrolment_token": enrolment["enrolment_token"], "code": next_code(email)})
    assert response.status_code == 200, response.text
    client.cookies.clear()  # tests authenticate by header unless they test cookies
    return response.json()["token"]


def next_code(email: str) -> str:
    """The current code of an account these helpers enrolled, or the next step's when the
    current one was used (the server accepts one step of drift and refuses a code twice)."""
    secret, last_step = ONE_TIME_CODES[email.lower()]
    step = max(int(time.time()) // 30, last_step + 1)
    ONE_TIME_CODES[email.lower()] = (secret, step)
    return pyotp.TOTP(secret).at(step * 30)


def staff_headers(client, engine: Engine, role: str) -> dict[str, str]:
    return bearer(sign_in(client, make_user(engine, role).email))


def patient_headers(settings: Settings, patient_id: str | uuid.UUID,
                    purpose: str = "case") -> dict[str, str]:
    link = PatientLink(patient_id=uuid.UUID(str(patient_id)), purpose=purpose)
    return bearer(sign_link(settings.secret_key, link))
