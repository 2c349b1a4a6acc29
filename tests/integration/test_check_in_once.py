"""A check-in link answers once: a second answer is refused (409, how to reach the clinic) and
changes nothing; the database itself refuses a second answer to one check-in; the page opened
again shows the answer given."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from services.intake.app import create_app
from shared.db import sync_session
from shared.models import IntakeResponse
from tests.integration.decision_helpers import (
    check_in_headers,
    check_in_link,
    messages,
    owed_check_in,
    triage,
)
from tests.integration.helpers import create_patient, submit_intake

pytestmark = pytest.mark.integration

FIRST = {"trend": "worse", "new_symptoms": ["more_swelling"], "notes": "Swollen after work"}
SECOND = {"trend": "better", "improvement_percent": 90}
CLINIC_PHONE = "+44 20 7946 0000"


@pytest.fixture
def owed(client, engine, settings):
    """A patient's triaged case with a check-in owed: ids and the link's headers."""
    patient = create_patient(client)
    case = submit_intake(client, patient["id"])
    triage(engine, case["id"], "intake_submitted")
    follow_up = owed_check_in(engine, case["id"])
    return {"patient_id": patient["id"], "case_id": case["id"], "follow_up_id": follow_up,
            "headers": check_in_headers(settings, patient["id"], case["id"], follow_up)}


def stored_answers(engine, follow_up_id) -> list[dict]:
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(text(
            "SELECT answers FROM intake_responses WHERE follow_up_id = :f"), {"f": follow_up_id})]


def test_a_reused_check_in_link_is_refused_with_409_and_changes_nothing(client, engine, settings,
                                                                       owed):
    first = client.post("/check-ins", json=FIRST, headers=owed["headers"])
    assert first.status_code == 202

    second = client.post("/check-ins", json=SECOND, headers=owed["headers"])

    assert second.status_code == 409
    message = second.json()["detail"][0]["msg"]
    assert "already answered" in message and "nothing has been changed" in message
    assert "call the clinic" in message and "emergency services" in message
    assert stored_answers(engine, owed["follow_up_id"]) == [FIRST]
    assert len(messages(engine, "triage.cases.evaluate", owed["case_id"])) == 2  # intake + one
    later = owed_check_in(engine, owed["case_id"])  # the next check-in has a link of its own
    assert client.post("/check-ins", json=SECOND, headers=check_in_headers(
        settings, owed["patient_id"], owed["case_id"], later)).status_code == 202


def test_the_database_refuses_a_second_answer_to_one_check_in(engine, owed):
    def answer():
        with sync_session(engine) as session, session.begin():
            session.add(IntakeResponse(case_id=uuid.UUID(owed["case_id"]),
                                       follow_up_id=owed["follow_up_id"],
                                       questionnaire="ankle-check-in",
                                       questionnaire_version="1.0.0", answers=SECOND))

    answer()
    with pytest.raises(IntegrityError, match="uq_intake_responses_follow_up_id"):
        answer()


@pytest.fixture
def patient_web(settings, engine):
    """The pages as a patient's phone opens them, with the clinic's phone number set."""
    with_phone = settings.model_copy(update={"contact_phone": CLINIC_PHONE})
    with TestClient(create_app(with_phone), follow_redirects=False) as web:
        yield web


def test_an_answered_check_in_link_opens_on_the_answer_given_and_how_to_reach_the_clinic(
        client, settings, owed, patient_web):
    client.post("/check-ins", json=FIRST, headers=owed["headers"]).raise_for_status()
    token = check_in_link(settings, owed["patient_id"], owed["case_id"], owed["follow_up_id"])
    assert patient_web.get(f"/check-in?token={token}").status_code == 303

    page = patient_web.get("/check-in")

    assert page.status_code == 200 and "data-check-in-answered" in page.text
    assert "You have already answered this check-in" in page.text
    assert f"call {CLINIC_PHONE}" in page.text and 'name="trend"' not in page.text
    assert "More swelling" in page.text and "Swollen after work" in page.text


def test_sending_the_check_in_page_twice_shows_the_first_answer_with_409(engine, settings, owed,
                                                                        patient_web):
    token = check_in_link(settings, owed["patient_id"], owed["case_id"], owed["follow_up_id"])
    patient_web.get(f"/check-in?token={token}")
    form = {"csrf_token": patient_web.cookies.get("clinic_csrf"), "trend": "worse"}
    assert patient_web.post("/check-in", data=form).status_code == 200

    again = patient_web.post("/check-in", data={**form, "trend": "better"})

    assert again.status_code == 409 and "You have already answered this check-in" in again.text
    assert [a["trend"] for a in stored_answers(engine, owed["follow_up_id"])] == ["worse"]
