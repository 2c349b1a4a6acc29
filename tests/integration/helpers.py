"""Small builders shared by the integration tests: valid requests a test can vary."""

from __future__ import annotations

import uuid
from typing import Any


def patient_payload(**overrides: Any) -> dict:
    unique = uuid.uuid4().hex[:8]
    return {
        "given_name": f"Given{unique}",
        "family_name": f"Family{unique}",
        "birth_date": "1990-04-02",
        "email": f"p{unique}@example.com",
        **overrides,
    }


def twisted_ankle_history(**overrides: Any) -> dict:
    """A lateral ankle sprain after which the patient could not walk four steps at all."""
    return {
        "onset": "injury",
        "injury_mechanism": "rolled_outward",
        "walked_four_steps_immediately": False,
        "walks_four_steps_now": False,
        "pain_locations": ["outside"],
        "swelling": "moderate",
        **overrides,
    }


def create_patient(client, **overrides: Any) -> dict:
    response = client.post("/patients", json=patient_payload(**overrides))
    assert response.status_code == 201, response.text
    return response.json()["patient"]


def submit_intake(client, patient_id: str, **history: Any) -> dict:
    response = client.post("/cases", json={"patient_id": patient_id,
                                           "history": twisted_ankle_history(**history)})
    assert response.status_code == 201, response.text
    return response.json()
