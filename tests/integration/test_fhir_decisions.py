"""A form sent as a FHIR QuestionnaireResponse is decided exactly like the same form sent to
POST /cases: triage run by hand on both cases (as tests/integration/decision_helpers.py does)
gives the same queue, urgency, rules and inputs."""

from __future__ import annotations

import pytest

from tests.fixtures.fhir import (
    TWISTED_ANKLE_FORM,
    TWISTED_ANKLE_HISTORY,
    fhir_patient,
    filled_in,
)
from tests.integration.decision_helpers import placement_of, triage

pytestmark = pytest.mark.integration

GRADUAL_RUNNER_FORM = {
    "side": "right", "onset": "gradual", "pain_locations": ["shin"], "pain_score": "5",
    "swelling": "none", "pain_eases_after_warm_up": "no", "pain_settles_with_rest": "yes",
    "numbness_or_tingling": "no", "foot_cold_pale_or_blue": "no",
    "joint_hot_red_swollen": "no", "foot_red_warm_swollen": "no", "fever_or_unwell": "no",
    "saddle_numbness_or_bladder_bowel_change": "unsure", "activities": ["running"],
    "training_changes": ["mileage_increase"], "weekly_load_increase_percent": "40",
    "diabetes": "no", "takes_blood_thinners": "no", "periods_stopped_or_irregular": "yes",
}
GRADUAL_RUNNER_HISTORY = {
    "side": "right", "onset": "gradual", "pain_locations": ["shin"], "pain_score": 5,
    "swelling": "none", "pain_eases_after_warm_up": False, "pain_settles_with_rest": True,
    "numbness_or_tingling": False, "foot_cold_pale_or_blue": False,
    "joint_hot_red_swollen": False, "foot_red_warm_swollen": False, "fever_or_unwell": False,
    "activities": ["running"], "training_changes": ["mileage_increase"],
    "weekly_load_increase_percent": 40, "diabetes": False, "takes_blood_thinners": False,
    "periods_stopped_or_irregular": True,
}


def decided(engine, case_id: str) -> dict:
    decision = triage(engine, case_id, "intake_submitted")
    placement = placement_of(engine, case_id)
    rules = sorted(rule["rule_id"] for rule in decision.outcome.get("rules_fired", []))
    return {"queue": decision.queue, "urgency": decision.urgency,
            "imaging": decision.imaging_modality, "rules": rules,
            "review": decision.needs_clinician_review, "inputs": decision.inputs,
            "placed": (placement.queue, placement.urgency), "hash": decision.ruleset_hash}


@pytest.mark.parametrize(("form", "history"), [
    (TWISTED_ANKLE_FORM, TWISTED_ANKLE_HISTORY),
    (GRADUAL_RUNNER_FORM, GRADUAL_RUNNER_HISTORY)], ids=["twisted-ankle", "gradual-runner"])
def test_a_fhir_response_is_routed_like_the_same_form_sent_to_post_cases(desk, engine, form,
                                                                         history):
    patient_id = desk.post("/fhir/Patient", fhir_patient()).json()["id"]
    questionnaire = desk.get("/fhir/Questionnaire/ankle-previsit").json()
    sent = desk.post("/fhir/QuestionnaireResponse", filled_in(questionnaire, form, patient_id))
    assert sent.status_code == 201, sent.text
    fhir_case = sent.json()["extension"][0]["valueReference"]["reference"].split("/")[1]
    rest = desk.client.post("/cases", headers=desk.headers,
                            json={"patient_id": patient_id, "history": history})
    assert rest.status_code == 201, rest.text

    through_fhir, through_rest = decided(engine, fhir_case), decided(engine, rest.json()["id"])

    assert through_fhir["rules"], "the form should fire at least one rule"
    assert through_fhir == through_rest
