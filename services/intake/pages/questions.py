"""The pre-visit form as data: steps of questions, each mapping to a PreVisitHistory field.

Texts live in the translation files (i18n/), keyed by the question's name; a question with
`show_if` appears only when an earlier answer calls for it, both in the browser and when the
server reads the answers (a hidden question's answer is dropped).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from shared.clinical_record import (
    Activity,
    Aggravator,
    InjuryMechanism,
    Onset,
    PainLocation,
    PreVisitHistory,
    Severity,
    TrainingChange,
    Treatment,
    TreatmentTried,
)

YES_NO = ("yes", "no", "unsure")
ANY = "*"  # show_if value: any answer at all


@dataclass(frozen=True)
class Question:
    name: str
    kind: str  # choice | yesno | multi | bodymap | scale | number | date | text
    options: tuple[str, ...] = ()
    required: bool = False
    show_if: dict[str, tuple[str, ...]] = field(default_factory=dict)
    maximum: int | None = None

    @property
    def is_list(self) -> bool:
        return self.kind in ("multi", "bodymap")


@dataclass(frozen=True)
class Step:
    name: str
    questions: tuple[Question, ...]
    show_if: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _values(enum) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


INJURY = {"onset": (Onset.INJURY.value,)}

STEPS: tuple[Step, ...] = (
    Step("about", (
        Question("side", "choice", ("left", "right", "both"), required=True),
        Question("onset", "choice", _values(Onset), required=True),
        Question("onset_date", "date"),
    )),
    Step("injury", (
        Question("injury_mechanism", "choice", _values(InjuryMechanism), required=True),
        Question("walked_four_steps_immediately", "yesno", YES_NO, required=True),
        Question("walks_four_steps_now", "yesno", YES_NO, required=True),
        Question("heard_pop_or_snap", "yesno", YES_NO),
        Question("felt_kicked_in_calf", "yesno", YES_NO),
        Question("wound_over_injury", "yesno", YES_NO, required=True),
    ), show_if=INJURY),
    Step("where", (
        Question("pain_locations", "bodymap", _values(PainLocation), required=True),
        Question("pain_score", "scale", tuple(str(n) for n in range(11)), required=True),
    )),
    Step("symptoms", (
        Question("swelling", "choice", _values(Severity), required=True),
        Question("bruising", "choice", _values(Severity)),
        Question("visible_deformity", "yesno", YES_NO, required=True, show_if=INJURY),
        Question("giving_way", "yesno", YES_NO),
        Question("catching_or_locking", "yesno", YES_NO),
        Question("lost_push_off_strength", "yesno", YES_NO),
        Question("pain_at_rest_or_night", "yesno", YES_NO),
        Question("aggravators", "multi", _values(Aggravator)),
    )),
    Step("warning", (
        Question("numbness_or_tingling", "yesno", YES_NO, required=True),
        Question("foot_cold_pale_or_blue", "yesno", YES_NO, required=True),
        Question("joint_hot_red_swollen", "yesno", YES_NO, required=True),
        Question("foot_red_warm_swollen", "yesno", YES_NO, required=True),
        Question("fever_or_unwell", "yesno", YES_NO, required=True),
        Question("saddle_numbness_or_bladder_bowel_change", "yesno", YES_NO, required=True),
    )),
    Step("health", (
        Question("activities", "multi", _values(Activity)),
        Question("training_changes", "multi", _values(TrainingChange),
                 show_if={"onset": (Onset.GRADUAL.value,)}),
        Question("previous_ankle_sprains", "number", maximum=100),
        Question("previous_stress_fracture", "yesno", YES_NO),
        Question("diabetes", "yesno", YES_NO, required=True),
        Question("foot_ulcer", "yesno", YES_NO, required=True, show_if={"diabetes": ("yes",)}),
        Question("takes_blood_thinners", "yesno", YES_NO, required=True),
    )),
    Step("treatment", (
        Question("treatments_tried", "multi", _values(Treatment)),
        Question("improvement_percent", "number", maximum=100,
                 show_if={"treatments_tried": (ANY,)}),
        Question("notes", "text"),
    )),
)

QUESTIONS = {q.name: q for step in STEPS for q in step.questions}
STEP_OF = {q.name: step for step in STEPS for q in step.questions}


def _shown(conditions: dict[str, tuple[str, ...]], answers: dict[str, list[str]]) -> bool:
    for name, wanted in conditions.items():
        given = [v for v in answers.get(name, []) if v]
        if not given or (ANY not in wanted and not set(given) & set(wanted)):
            return False
    return True


def is_shown(question: Question, answers: dict[str, list[str]]) -> bool:
    return _shown(STEP_OF[question.name].show_if, answers) and _shown(question.show_if, answers)


@dataclass
class FormResult:
    history: PreVisitHistory | None
    errors: dict[str, str]  # question name -> message key ("error.required" or "error.invalid")


def read_answers(answers: dict[str, list[str]]) -> FormResult:
    """The submitted form as a PreVisitHistory, or which questions need an answer."""
    values, errors = {}, {}
    for question in QUESTIONS.values():
        given = [v.strip() for v in answers.get(question.name, []) if v.strip()]
        if not is_shown(question, answers) or not given:
            if question.required and is_shown(question, answers):
                errors[question.name] = "error.required"
            continue
        try:
            values[question.name] = _convert(question, given)
        except (ValueError, KeyError):
            errors[question.name] = "error.invalid"
    if errors:
        return FormResult(None, errors)
    try:
        return FormResult(PreVisitHistory(**values), {})
    except ValidationError as invalid:
        return FormResult(None, {str(e["loc"][0]): "error.invalid" for e in invalid.errors()})


def _convert(question: Question, given: list[str]):
    if question.kind == "yesno":
        return {"yes": True, "no": False, "unsure": None}[given[0]]
    if question.name == "treatments_tried":
        return [TreatmentTried(treatment=v) for v in given]
    if question.is_list:
        return given
    if question.kind in ("number", "scale"):
        number = int(given[0])
        if number < 0 or (question.maximum is not None and number > question.maximum):
            raise ValueError(question.name)
        return number
    return given[0]
