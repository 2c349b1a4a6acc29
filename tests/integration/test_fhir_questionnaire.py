"""Questionnaire: the three forms, generated from the definitions the pages use."""

from __future__ import annotations

import pytest

from services.intake.pages import exam_form
from services.intake.pages.questions import QUESTIONS, STEPS
from shared.clinical_record import (
    CHECK_IN_QUESTIONNAIRE_VERSION,
    QUESTIONNAIRE_VERSION,
    PainLocation,
    Treatment,
)

pytestmark = pytest.mark.integration
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"


def flat(items: list[dict]) -> dict[str, dict]:
    found = {}
    for item in items:
        found[item["linkId"]] = item
        found.update(flat(item.get("item", [])))
    return found


def spanish(element: dict, name: str) -> str:
    extensions = element[f"_{name}"]["extension"]
    [translation] = [e for e in extensions if e["url"] == TRANSLATION]
    parts = {p["url"]: p for p in translation["extension"]}
    assert parts["lang"]["valueCode"] == "es"
    return parts["content"]["valueString"]


def test_the_pre_visit_questionnaire_has_every_question_of_the_page_versioned_as_records_are(
        desk):
    questionnaire = desk.get("/fhir/Questionnaire/ankle-previsit").json()
    items = flat(questionnaire["item"])
    assert questionnaire["version"] == QUESTIONNAIRE_VERSION
    assert questionnaire["url"].endswith("/Questionnaire/ankle-previsit")
    assert set(QUESTIONS) <= set(items)
    assert [g["linkId"] for g in questionnaire["item"]] == [f"step-{s.name}" for s in STEPS]
    for name, question in QUESTIONS.items():
        assert items[name].get("required", False) == question.required, name


def test_conditional_questions_carry_enable_when_as_the_page_shows_them(desk):
    items = flat(desk.get("/fhir/Questionnaire/ankle-previsit").json()["item"])
    [injury] = items["step-injury"]["enableWhen"]
    assert (injury["question"], injury["operator"], injury["answerCoding"]["code"]) == \
        ("onset", "=", "injury")
    [ulcer] = items["foot_ulcer"]["enableWhen"]
    assert (ulcer["question"], ulcer["answerBoolean"]) == ("diabetes", True)
    [improvement] = items["improvement_percent"]["enableWhen"]
    assert (improvement["operator"], improvement["answerBoolean"]) == ("exists", True)
    [weeks] = items["treatments_tried_ice_weeks"]["enableWhen"]
    assert weeks["answerCoding"]["code"] == Treatment.ICE.value
    assert "enableWhen" not in items["side"]


def test_answer_options_are_the_vocabulary_codes_with_spanish_texts(desk):
    items = flat(desk.get("/fhir/Questionnaire/ankle-previsit").json()["item"])
    locations = items["pain_locations"]
    assert locations["repeats"] is True and locations["type"] == "choice"
    assert [o["valueCoding"]["code"] for o in locations["answerOption"]] == \
        [p.value for p in PainLocation]
    outside = next(o["valueCoding"] for o in locations["answerOption"]
                   if o["valueCoding"]["code"] == "outside")
    assert outside["display"] == "Outer ankle bone"
    assert spanish(outside, "display") and spanish(outside, "display") != outside["display"]
    assert spanish(items["side"], "text") != items["side"]["text"]
    assert items["walks_four_steps_now"]["type"] == "boolean"
    assert [o["valueInteger"] for o in items["pain_score"]["answerOption"]] == list(range(11))
    for link_id, item in items.items():  # every text of the patient's form is translated
        assert spanish(item, "text"), link_id


def test_the_check_in_and_exam_questionnaires_follow_their_forms(desk):
    check_in = desk.get("/fhir/Questionnaire/ankle-check-in").json()
    assert check_in["version"] == CHECK_IN_QUESTIONNAIRE_VERSION
    items = flat(check_in["item"])
    assert items["trend"]["required"] is True
    assert spanish(items["trend"], "text")
    exam = desk.get("/fhir/Questionnaire/ankle-exam").json()
    items = flat(exam["item"])
    assert set(exam_form.FIELDS) <= set(items)
    assert items["pain_in_malleolar_zone"]["type"] == "boolean"
    assert items["temperature_celsius"]["type"] == "decimal"
    assert [o["valueCoding"]["code"] for o in items["shin_tenderness"]["answerOption"]] == \
        ["none", "diffuse", "focal"]


def test_questionnaires_are_searched_by_url_and_an_unknown_one_is_not_found(desk, as_patient):
    bundle = desk.get("/fhir/Questionnaire").json()
    assert bundle["total"] == 3
    url = desk.get("/fhir/Questionnaire/ankle-exam").json()["url"]
    found = desk.get(f"/fhir/Questionnaire?url={url}").json()
    assert [e["resource"]["id"] for e in found["entry"]] == ["ankle-exam"]
    missing = desk.get("/fhir/Questionnaire/ankle-other")
    assert missing.status_code == 404
    assert missing.json()["issue"][0]["code"] == "not-found"
