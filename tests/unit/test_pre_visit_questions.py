"""The pre-visit form's questions: each fills the history field it claims to ask, the personal
questions can be declined, imaging done is recorded with its result, and every question has
its texts in every language. The exam form records each field it shows."""

from __future__ import annotations

import pytest

from services.intake.pages import exam_form
from services.intake.pages.questions import ANY, QUESTIONS, STEP_OF, Question, read_answers
from services.intake.pages.rendering import catalogs
from shared.clinical_record import (
    ExamFindings,
    ImagingModality,
    ImagingResult,
    PreVisitHistory,
    PriorImaging,
    Severity,
    Treatment,
    TreatmentTried,
)


def _sample(question: Question) -> str:
    if question.kind == "yesno":
        return "yes"
    if question.kind in ("number", "scale"):
        return "1"
    if question.kind == "date":
        return "2024-01-02"
    if question.kind == "text":
        return "a note"
    return question.options[0]


def answers_showing(question: Question) -> dict[str, list[str]]:
    """An answer to every question, with the earlier answers this question depends on (and
    those they depend on) chosen so that it is shown."""
    answers = {q.name: [_sample(q)] for q in QUESTIONS.values()}

    def satisfy(q: Question) -> None:
        for condition in (STEP_OF[q.name].show_if, q.show_if):
            for name, wanted in condition.items():
                if ANY not in wanted:
                    answers[name] = [wanted[0]]
                satisfy(QUESTIONS[name])

    satisfy(question)
    return answers


def _filled(history: PreVisitHistory, question: Question, path: str) -> bool:
    if "." not in path:
        return getattr(history, path) not in (None, [])
    list_name, field = path.split(".")
    option = question.item_of[1] if question.item_of else None
    items = [item for item in getattr(history, list_name)
             if option is None or option in item.model_dump(mode="json").values()]
    return any(getattr(item, field) is not None for item in items)


@pytest.mark.parametrize("name", list(QUESTIONS))
def test_each_question_fills_the_history_field_it_claims_to_ask(name):
    question = QUESTIONS[name]
    result = read_answers(answers_showing(question))

    assert result.errors == {}
    for path in question.fills:
        assert _filled(result.history, question, path), path


def test_the_question_names_that_are_not_fields_are_follow_ups_about_a_list_item():
    not_fields = {n for n in QUESTIONS if n not in PreVisitHistory.model_fields}
    assert not_fields
    assert all(QUESTIONS[n].item_of for n in not_fields)
    assert all(QUESTIONS[n].name in PreVisitHistory.model_fields
               for n in QUESTIONS if not QUESTIONS[n].item_of)


GRADUAL_NO_INJURY = {"side": ["left"], "onset": ["gradual"], "pain_locations": ["shin"],
                     "pain_score": ["4"], "swelling": ["none"], "numbness_or_tingling": ["no"],
                     "foot_cold_pale_or_blue": ["no"], "joint_hot_red_swollen": ["no"],
                     "foot_red_warm_swollen": ["no"], "fever_or_unwell": ["no"],
                     "saddle_numbness_or_bladder_bowel_change": ["no"], "diabetes": ["no"],
                     "takes_blood_thinners": ["no"]}


def test_swelling_and_bruising_offer_present_with_the_amount_unknown():
    for name in ("swelling", "bruising"):
        assert Severity.PRESENT_SEVERITY_UNKNOWN.value in QUESTIONS[name].options
    result = read_answers({**GRADUAL_NO_INJURY, "swelling": ["present_severity_unknown"],
                           "bruising": ["present_severity_unknown"]})
    assert result.history.swelling is Severity.PRESENT_SEVERITY_UNKNOWN
    assert result.history.bruising is Severity.PRESENT_SEVERITY_UNKNOWN


@pytest.mark.parametrize(("given", "recorded"), [
    ("yes", True), ("no", False), ("not_applicable", None), ("prefer_not_to_say", None)])
def test_the_periods_question_is_optional_and_declining_records_no_answer(given, recorded):
    question = QUESTIONS["periods_stopped_or_irregular"]
    assert not question.required and not question.show_if
    result = read_answers({**GRADUAL_NO_INJURY, "periods_stopped_or_irregular": [given]})
    assert result.errors == {}
    assert result.history.periods_stopped_or_irregular is recorded


def test_an_answer_a_question_does_not_offer_is_invalid():
    result = read_answers({**GRADUAL_NO_INJURY, "periods_stopped_or_irregular": ["unsure"]})
    assert result.errors == {"periods_stopped_or_irregular": "error.invalid"}


def test_imaging_done_is_recorded_with_each_result_and_when():
    result = read_answers({**GRADUAL_NO_INJURY, "imaging_done": ["xray", "mri"],
                           "imaging_xray_result": ["normal"], "imaging_xray_days_ago": ["20"],
                           "imaging_mri_result": ["stress_reaction_or_fracture"]})
    assert result.errors == {}
    assert result.history.imaging_done == [
        PriorImaging(modality=ImagingModality.XRAY, result=ImagingResult.NORMAL, days_ago=20),
        PriorImaging(modality=ImagingModality.MRI,
                     result=ImagingResult.STRESS_REACTION_OR_FRACTURE)]


def test_imaging_ticked_without_its_result_asks_for_the_result():
    result = read_answers({**GRADUAL_NO_INJURY, "imaging_done": ["ct"]})
    assert result.errors == {"imaging_ct_result": "error.required"}


def test_a_result_for_imaging_not_ticked_is_dropped():
    result = read_answers({**GRADUAL_NO_INJURY, "imaging_xray_result": ["fracture"]})
    assert result.errors == {} and result.history.imaging_done == []


def test_each_treatment_is_recorded_with_how_many_weeks_it_was_tried():
    result = read_answers({**GRADUAL_NO_INJURY, "treatments_tried": ["rest", "physiotherapy"],
                           "treatments_tried_physiotherapy_weeks": ["12"]})
    assert result.history.treatments_tried == [
        TreatmentTried(treatment=Treatment.REST),
        TreatmentTried(treatment=Treatment.PHYSIOTHERAPY, weeks=12)]


def test_a_high_energy_mechanism_must_be_answered_after_an_injury():
    injury = {**GRADUAL_NO_INJURY, "onset": ["injury"], "injury_mechanism": ["fall"],
              "walked_four_steps_immediately": ["yes"], "walks_four_steps_now": ["yes"],
              "wound_over_injury": ["no"], "visible_deformity": ["no"]}
    assert read_answers(injury).errors == {"high_energy_injury": "error.required"}
    unsure = read_answers({**injury, "high_energy_injury": ["unsure"]})
    assert unsure.errors == {} and unsure.history.high_energy_injury is None
    assert read_answers({**injury, "high_energy_injury": ["yes"]}).history.high_energy_injury


def _text_keys(question: Question) -> set[str]:
    keys = {f"q.{question.name}.label"}
    if question.kind in ("yesno",):
        keys |= {f"opt.{option}" for option in question.options}
    elif question.kind in ("choice", "multi", "bodymap"):
        keys |= {f"q.{question.option_texts or question.name}.{option}"
                 for option in question.options}
    return keys


@pytest.mark.parametrize("language", sorted(catalogs()))
def test_every_question_and_option_has_its_text_in_each_language(language):
    catalog = catalogs()[language]
    missing = {key for q in QUESTIONS.values() for key in _text_keys(q)} - set(catalog)
    assert missing == set()


def test_the_translations_have_the_same_keys():
    keys = {language: set(catalog) for language, catalog in catalogs().items()}
    assert len(keys) >= 2
    english = keys.pop("en")
    for language, theirs in keys.items():
        assert theirs ^ english == set(), language


@pytest.mark.parametrize("name", exam_form.FIELDS)
def test_the_exam_form_records_each_field_it_shows(name):
    kind = exam_form.kind_of(name)
    given = {"tristate": "yes", "text": "a note"}.get(kind) or (
        exam_form.CHOICES[name][-1][0] if kind == "choice" else str(exam_form.NUMBERS[name][0]))
    findings, errors = exam_form.read_findings({name: given})
    assert errors == {}
    assert getattr(findings, name) is not None


def test_the_exam_form_number_bounds_are_those_the_record_accepts():
    for name, (low, high, _step) in exam_form.NUMBERS.items():
        assert getattr(ExamFindings(**{name: low}), name) == low
        assert getattr(ExamFindings(**{name: high}), name) == high
        assert exam_form.read_findings({name: str(high + 1)})[0] is None
        assert exam_form.read_findings({name: str(low - 1)})[0] is None


def test_the_skin_temperature_difference_is_on_the_exam_form():
    findings, _ = exam_form.read_findings({"skin_temperature_difference_celsius": "2.5"})
    assert findings.skin_temperature_difference_celsius == 2.5
    assert exam_form.kind_of("skin_temperature_difference_celsius") == "number"


def test_the_examiner_may_record_swelling_present_but_not_graded():
    values = [value for value, _label in exam_form.CHOICES["swelling"]]
    assert values == [s.value for s in Severity]
    findings, _ = exam_form.read_findings({"swelling": "present_severity_unknown"})
    assert findings.swelling is Severity.PRESENT_SEVERITY_UNKNOWN

