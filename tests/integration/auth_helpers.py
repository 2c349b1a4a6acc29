"""Acting as each role in tests: staff accounts signed in for real, patients via signed links."""

from __future__ import annotations

import uuid

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


def sign_in(client, email: str, password: str = PASSWORD) -> str:
    response = client.post("/auth/sign-in", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    client.cookies.clear()  # tests authenticate by header unless they test cookies
    return response.json()["token"]


def staff_headers(client, engine: Engine, role: str) -> dict[str, str]:
    return bearer(sign_in(client, make_user(engine, role).email))


def patient_headers(settings: Settings, patient_id: str | uuid.UUID,
                    purpose: str = "case") -> dict[str, str]:
    link = PatientLink(patient_id=uuid.UUID(str(patient_id)), purpose=purpose)
    return bearer(sign_link(settings.secret_key, link))
