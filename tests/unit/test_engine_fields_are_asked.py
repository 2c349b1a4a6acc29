"""Every field the engine reads is asked somewhere: on the patient's pre-visit form, at a
check-in, or on the staff exam form, unless it is listed in STAFF_ONLY with the reason.

What the engine reads is derived from its source, not kept by hand: every PreVisitHistory or
ExamFindings field name that appears in services/triage/engine/ as a string literal (also as
the last part of a dotted "history.<field>" / "exam.<field>" path), an attribute name or a
keyword argument, plus the fields of the items of any list of records it reads
(imaging_done[].result, treatments_tried[].weeks). What is asked is derived from the form
definitions themselves: the pre-visit questions (services/intake/pages/questions.py), the
check-in's new symptoms as the history answers they set (SYMPTOM_ANSWERS), and the exam
form's fields (services/intake/pages/exam_form.py).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

from pydantic import BaseModel

from services.intake.pages import exam_form, questions
from services.intake.pages.check_in_page import CHOICES as CHECK_IN_CHOICES
from services.triage.engine.stored_case import SYMPTOM_ANSWERS
from shared.clinical_record import ExamFindings, NewSymptom, PreVisitHistory

ENGINE_SOURCE = Path(__file__).resolve().parents[2] / "services" / "triage" / "engine"
RECORDS = {"history": PreVisitHistory, "exam": ExamFindings}

# Fields no form asks because only staff can answer them (through POST /cases or the exam
# API), as "history.<field>" or "exam.<field>", each with the reason. Empty today: every
# field is asked of the patient or on the exam form.
STAFF_ONLY: dict[str, str] = {}


def _item_model(annotation) -> type[BaseModel] | None:
    """The record type of a list-of-records field (list[PriorImaging] -> PriorImaging)."""
    for arg in get_args(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        nested = _item_model(arg)
        if nested is not None:
            return nested
    return None


def _with_item_fields(paths: set[str]) -> set[str]:
    """Adds `record.list.field` for every field of the items of each list of records."""
    extended = set(paths)
    for path in paths:
        record, name = path.split(".")
        item = _item_model(RECORDS[record].model_fields[name].annotation)
        if item is not None:
            extended |= {f"{path}.{field}" for field in item.model_fields}
    return extended


def names_in_engine_source() -> set[str]:
    names: set[str] = set()
    for path in sorted(ENGINE_SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.add(node.value)
            elif isinstance(node, ast.Attribute):
                names.add(node.attr)
            elif isinstance(node, ast.keyword) and node.arg:
                names.add(node.arg)
    return names


def fields_the_engine_reads() -> set[str]:
    names = names_in_engine_source()
    read = set()
    for record, model in RECORDS.items():
        for field in model.model_fields:
            if field in names or f"{record}.{field}" in names:
                read.add(f"{record}.{field}")
    return _with_item_fields(read)


def every_field() -> set[str]:
    return _with_item_fields({f"{record}.{field}" for record, model in RECORDS.items()
                              for field in model.model_fields})


def asked_on_the_pre_visit_form() -> set[str]:
    return {f"history.{path}" for question in questions.QUESTIONS.values()
            for path in question.fills}


def asked_at_a_check_in() -> set[str]:
    return {f"history.{field}" for symptom in CHECK_IN_CHOICES["symptoms"]
            for field in SYMPTOM_ANSWERS[NewSymptom(symptom)]}


def asked_on_the_exam_form() -> set[str]:
    return {f"exam.{name}" for name in exam_form.FIELDS}


def asked_anywhere() -> set[str]:
    return asked_on_the_pre_visit_form() | asked_at_a_check_in() | asked_on_the_exam_form()


def test_the_derivation_finds_what_the_engine_reads_from_both_records():
    read = fields_the_engine_reads()
    # Read as a dotted missing-information path, as a field-dict key, and as an item field.
    assert {"history.walks_four_steps_now", "exam.tender_navicular",
            "history.treatments_tried.weeks"} <= read
    assert "history.no_such_answer" not in read
    assert len({p for p in read if p.startswith("history.")}) > 20
    assert len({p for p in read if p.startswith("exam.")}) > 20


def test_the_derivation_of_what_is_asked_sees_each_form():
    assert "history.high_energy_injury" in asked_on_the_pre_visit_form()
    assert "history.imaging_done.result" in asked_on_the_pre_visit_form()
    assert "history.foot_cold_pale_or_blue" in asked_at_a_check_in()
    assert "exam.skin_temperature_difference_celsius" in asked_on_the_exam_form()
    assert "exam.tender_navicular" not in asked_on_the_pre_visit_form()


def test_every_field_the_engine_reads_is_asked_on_a_form_or_is_staff_only():
    asked_nowhere = fields_the_engine_reads() - asked_anywhere() - set(STAFF_ONLY)
    assert asked_nowhere == set(), (
        "the engine reads these but no form asks them; add a question (questions.py, "
        f"exam_form.py) or list them in STAFF_ONLY with the reason: {sorted(asked_nowhere)}")


def test_every_history_and_exam_field_is_asked_on_a_form_or_is_staff_only():
    asked_nowhere = every_field() - asked_anywhere() - set(STAFF_ONLY)
    assert asked_nowhere == set(), sorted(asked_nowhere)


def test_the_fields_added_for_issue_13_are_asked():
    new = {"history.high_energy_injury", "history.pain_eases_after_warm_up",
           "history.pain_settles_with_rest", "history.back_pain_or_radiating_leg_pain",
           "history.peripheral_neuropathy", "history.periods_stopped_or_irregular",
           "history.low_bone_density", "history.imaging_done",
           "history.imaging_done.modality", "history.imaging_done.result",
           "history.imaging_done.days_ago", "exam.skin_temperature_difference_celsius"}
    assert new <= every_field()  # the names are the records' own
    assert new <= asked_anywhere()


def test_staff_only_names_real_fields_that_no_form_asks_each_with_a_reason():
    for path, reason in STAFF_ONLY.items():
        assert path in every_field(), f"{path} is not a field"
        assert path not in asked_anywhere(), f"{path} is asked on a form: not staff-only"
        assert len(reason.split()) >= 4, f"{path} needs a reason"


def test_what_the_forms_claim_to_ask_are_real_fields():
    assert asked_anywhere() - every_field() == set()
