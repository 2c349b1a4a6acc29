"""What the measured requests need: signed-in staff, patients, and pre-visit forms to submit."""

from __future__ import annotations

import json
import random
import uuid

import httpx
import psycopg

from bench.cases import random_case
from bench.servers import libpq_url
from services.intake.auth.passwords import hash_password

PASSWORD = "bench password that is long enough"


def staff_token(database_url: str, api: str, role: str) -> str:
    """A staff account made in the database (argon2 hash), signed in through the API."""
    email = f"bench-{role}-{uuid.uuid4().hex[:8]}@example.com"
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO users (id, email, display_name, role, password_hash, is_active, on_duty,"
            " created_at) VALUES (%s, %s, %s, %s, %s, true, false, now())",
            (uuid.uuid4(), email, f"Bench {role}", role, hash_password(PASSWORD)))
    response = httpx.post(f"{api}/auth/sign-in", json={"email": email, "password": PASSWORD},
                          timeout=30)
    response.raise_for_status()
    return response.json()["token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def patients(api: str, token: str, count: int) -> list[str]:
    ids = []
    with httpx.Client(base_url=api, headers=bearer(token), timeout=30) as client:
        for index in range(count):
            response = client.post("/patients", json={
                "given_name": f"Bench{index}", "family_name": f"Load{uuid.uuid4().hex[:10]}",
                "birth_date": "1980-01-01", "email": f"bench{index}@example.com"})
            response.raise_for_status()
            ids.append(response.json()["patient"]["id"])
    return ids


def intake_bodies(patient_ids: list[str], count: int = 256, seed: int = 8) -> list[str]:
    """Pre-visit forms as the API takes them; the baseline inserts the very same bodies."""
    rng = random.Random(seed)
    return [json.dumps({
        "patient_id": rng.choice(patient_ids),
        "history": random_case(rng).history.model_dump(mode="json", exclude_none=True),
    }) for _ in range(count)]
