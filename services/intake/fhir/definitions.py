"""The three forms as the pages define them, in one shape the FHIR mappings read.

- the pre-visit form: services/intake/pages/questions.py (steps, questions, `show_if`), its
  texts in the pages' translation files (i18n/), questionnaire id and version from
  shared/clinical_record/;
- the check-in: CheckInAnswers and the check-in page's choices and texts;
- the exam form: services/intake/pages/exam_form.py (groups, labels, choices, number bounds),
  whose labels exist in English only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from services.intake.pages import exam_form
from services.intake.pages.check_in_page import CHOICES as CHECK_IN_CHOICES
from services.intake.pages.questions import STEPS, YES_NO, Question
from services.intake.pages.rendering import DEFAULT_LANGUAGE, catalogs
from shared.clinical_record import (
    CHECK_IN_QUESTIONNAIRE_ID,
    CHECK_IN_QUESTIONNAIRE_VERSION,
    QUESTIONNAIRE_ID,
    QUESTIONNAIRE_VERSION,
)

EXAM_QUESTIONNAIRE_ID = "ankle-exam"
# The exam form's own version: findings are stored as Observations, not as answers to it.
EXAM_QUESTIONNAIRE_VERSION = "1.0.0"

Texts = dict[str, str]  # language -> text


@dataclass(frozen=True)
class Group:
    link_id: str
    texts: Texts
    questions: tuple[Question, ...]
    show_if: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Definition:
    id: str
    version: str
    name: str  # computer-friendly
    title: Texts
    groups: tuple[Group, ...]
    label: Callable[[Question], Texts]
    option: Callable[[Question, str], Texts]

    @property
    def questions(self) -> dict[str, Question]:
        return {q.name: q for group in self.groups for q in group.questions}

    def option_system_name(self, question: Question) -> str:
        return question.option_texts or question.name


def translated(key: str) -> Texts:
    """The key's text in every language that has it (English first; a key with no text in
    any catalog is a programming error)."""
    texts = {language: catalog[key] for language, catalog in catalogs().items() if key in catalog}
    if DEFAULT_LANGUAGE not in texts:
        raise KeyError(key)
    return texts


def _pre_visit_option(question: Question, option: str) -> Texts:
    if question.kind == "yesno":
        return translated(f"opt.{option}")
    if question.kind == "scale":
        return {DEFAULT_LANGUAGE: option}
    return translated(f"q.{question.option_texts or question.name}.{option}")


@cache
def pre_visit() -> Definition:
    return Definition(
        QUESTIONNAIRE_ID, QUESTIONNAIRE_VERSION, "AnklePreVisit", translated("form.title"),
        tuple(Group(f"step-{step.name}", translated(f"step.{step.name}"), step.questions,
                    step.show_if) for step in STEPS),
        label=lambda q: translated(f"q.{q.name}.label"), option=_pre_visit_option)


CHECK_IN_QUESTIONS = (
    Question("trend", "choice", tuple(CHECK_IN_CHOICES["trends"]), required=True),
    Question("improvement_percent", "number", maximum=100),
    Question("new_symptoms", "multi", tuple(CHECK_IN_CHOICES["symptoms"])),
    Question("followed_advice", "yesno", YES_NO),
    Question("notes", "text"),
    Question("pain_score", "scale", tuple(CHECK_IN_CHOICES["pain_scale"])),
    *(Question(item, "scale", tuple(CHECK_IN_CHOICES["difficulty_levels"]))
      for item in CHECK_IN_CHOICES["function_items"]),
)
_CHECK_IN_OPTION_KEYS = {"trend": "checkin.trend.{}", "new_symptoms": "checkin.symptom.{}",
                         "followed_advice": "opt.{}",
                         **{item: "checkin.difficulty.{}"
                            for item in CHECK_IN_CHOICES["function_items"]}}


@cache
def check_in() -> Definition:
    return Definition(
        CHECK_IN_QUESTIONNAIRE_ID, CHECK_IN_QUESTIONNAIRE_VERSION, "AnkleCheckIn",
        translated("checkin.title"),
        (Group("check-in", translated("checkin.title"), CHECK_IN_QUESTIONS, {}),),
        label=lambda q: translated(f"checkin.{q.name}"),
        option=lambda q, o: {DEFAULT_LANGUAGE: o} if q.name == "pain_score"
        else translated(_CHECK_IN_OPTION_KEYS[q.name].format(o)))


def _exam_question(name: str) -> Question:
    kind = exam_form.kind_of(name)
    if kind == "tristate":  # "not examined" records nothing: an unanswered item
        return Question(name, "yesno", ("yes", "no"))
    if kind == "choice":
        return Question(name, "choice", tuple(v for v, _label in exam_form.CHOICES[name]))
    if kind == "number":
        return Question(name, "decimal")
    return Question(name, "text")


@cache
def exam() -> Definition:
    labels = {name: label for _title, fields in exam_form.GROUPS for name, label in fields}
    labels["notes"] = "Notes"
    options = {name: dict(choices) for name, choices in exam_form.CHOICES.items()}
    groups = tuple(
        Group(f"exam-{index}", {DEFAULT_LANGUAGE: title},
              tuple(_exam_question(name) for name, _label in fields), {})
        for index, (title, fields) in enumerate(exam_form.GROUPS, start=1))
    groups += (Group("exam-notes", {DEFAULT_LANGUAGE: "Notes"}, (_exam_question("notes"),), {}),)
    return Definition(
        EXAM_QUESTIONNAIRE_ID, EXAM_QUESTIONNAIRE_VERSION, "AnkleExam",
        {DEFAULT_LANGUAGE: "Exam findings"}, groups,
        label=lambda q: {DEFAULT_LANGUAGE: labels[q.name]},
        option=lambda q, o: {DEFAULT_LANGUAGE: o.capitalize() if q.kind == "yesno"
                             else options[q.name][o]})


def definitions() -> dict[str, Definition]:
    return {d.id: d for d in (pre_visit(), check_in(), exam())}


def number_bounds(definition: Definition, question: Question) -> tuple[float, float] | None:
    if definition.id == EXAM_QUESTIONNAIRE_ID and question.name in exam_form.NUMBERS:
        low, high, _step = exam_form.NUMBERS[question.name]
        return low, high
    if question.kind == "number":
        return 0, question.maximum if question.maximum is not None else 10**6
    return None
