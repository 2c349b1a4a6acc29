"""A check-in's pain rating and function score read out as FHIR Observations (survey,
performed by the patient), each validated by the FHIR validators the FhirClient runs."""

from __future__ import annotations

import uuid

import pytest

from shared.clinical_record import CHECK_IN_QUESTIONNAIRE_ID, CHECK_IN_QUESTIONNAIRE_VERSION
from shared.db import sync_session
from shared.models import IntakeResponse
from tests.integration.fhir_outbound_helpers import routed_case

pytestmark = pytest.mark.integration


def store_check_in(engine, case_id: str, answers: dict) -> uuid.UUID:
    with sync_session(engine) as session, session.begin():
        row = IntakeResponse(case_id=uuid.UUID(case_id), questionnaire=CHECK_IN_QUESTIONNAIRE_ID,
                             questionnaire_version=CHECK_IN_QUESTIONNAIRE_VERSION,
                             answers=answers)
        session.add(row)
    return row.id


def test_check_in_scores_are_survey_observations_with_loinc_for_the_pain_rating(
        desk, as_role, engine):
    clinician = as_role("clinician")
    patient_id, _response, case_id, _decision = routed_case(desk, engine)
    store_check_in(engine, case_id, {
        "trend": "same", "pain_score": 3, "function_walk_indoors": 4,
        "function_walk_outdoors": 3, "function_stairs": 2, "function_stand": 1,
        "function_usual_activity": 0})
    store_check_in(engine, case_id, {"trend": "better", "function_stairs": 4})  # no scores

    found = {e["resource"]["code"]["coding"][0]["code"]: e["resource"] for e in
             clinician.search_all(f"/fhir/Observation?patient={patient_id}")
             if e["resource"]["category"][0]["coding"][0]["code"] == "survey"}

    assert set(found) == {"pain_score", "function_score"}
    pain, function = found["pain_score"], found["function_score"]
    assert pain["code"]["coding"][1]["system"] == "http://loinc.org"
    assert pain["code"]["coding"][1]["code"] == "72514-3"
    assert pain["valueQuantity"]["value"] == 3
    assert function["valueQuantity"] == {"value": 50, "unit": "% of full function",
                                         "system": "http://unitsofmeasure.org", "code": "%"}
    assert pain["performer"] == [{"reference": f"Patient/{patient_id}"}]
    assert pain["extension"][0]["valueReference"]["reference"] == f"EpisodeOfCare/{case_id}"
    read = clinician.get(f"/fhir/Observation/{pain['id']}").json()
    assert read["valueQuantity"]["value"] == 3 and read["id"] == pain["id"]
