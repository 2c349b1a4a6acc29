"""The check-in asks the 0-10 pain rating and the function questions in English and Spanish,
stores them with the answers, and refuses a rating out of range naming the question."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from services.intake.app import create_app
from tests.integration.decision_helpers import check_in_link, owed_check_in, triage
from tests.integration.helpers import create_patient, submit_intake

pytestmark = pytest.mark.integration

ITEMS = {"function_walk_indoors": "4", "function_walk_outdoors": "3", "function_stairs": "2",
         "function_stand": "1", "function_usual_activity": "0"}


@pytest.fixture
def patient_web(settings, clean_database):
    with TestClient(create_app(settings), follow_redirects=False) as web:
        yield web


@pytest.fixture
def link(client, engine, settings):
    patient = create_patient(client)
    case = submit_intake(client, patient["id"])
    triage(engine, case["id"], "intake_submitted")
    follow_up = owed_check_in(engine, case["id"])
    return follow_up, check_in_link(settings, patient["id"], case["id"], follow_up)


@pytest.mark.parametrize(("language", "pain", "stairs", "unable"), [
    ("en", "How bad is the pain at its worst today?", "Going up or down a flight of stairs",
     "I cannot do it"),
    ("es", "¿Cuánto le duele hoy en el peor momento?", "Subir o bajar un tramo de escaleras",
     "No puedo hacerlo")])
def test_the_check_in_asks_pain_and_function_in_the_patients_language(
        patient_web, link, language, pain, stairs, unable):
    patient_web.get(f"/check-in?token={link[1]}")
    page = patient_web.get(f"/check-in?lang={language}").text
    assert pain in page and stairs in page and unable in page
    assert page.count('name="pain_score"') == 11
    assert page.count('name="function_stairs"') == 5


def test_the_scores_are_stored_with_the_answers(patient_web, engine, link):
    patient_web.get(f"/check-in?token={link[1]}")
    form = {"csrf_token": patient_web.cookies.get("clinic_csrf"), "trend": "same",
            "pain_score": "7", **ITEMS}
    assert patient_web.post("/check-in", data=form).status_code == 200
    with engine.connect() as connection:
        stored = connection.execute(text(
            "SELECT answers FROM intake_responses WHERE follow_up_id = :f"),
            {"f": link[0]}).scalar_one()
    assert stored["pain_score"] == 7
    assert {k: stored[k] for k in ITEMS} == {k: int(v) for k, v in ITEMS.items()}


def test_a_pain_rating_out_of_range_is_refused_naming_the_question(patient_web, engine, link):
    patient_web.get(f"/check-in?token={link[1]}")
    form = {"csrf_token": patient_web.cookies.get("clinic_csrf"), "trend": "same",
            "pain_score": "11"}
    refused = patient_web.post("/check-in", data=form)
    assert refused.status_code == 422
    assert 'href="#ci-pain_score"' in refused.text
    with engine.connect() as connection:
        assert connection.execute(text(
            "SELECT count(*) FROM intake_responses WHERE follow_up_id = :f"),
            {"f": link[0]}).scalar_one() == 0
