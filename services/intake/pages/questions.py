"""The pre-visit form as data: steps of questions, each mapping to a PreVisitHistory field.

Texts live in the translation files (i18n/), keyed by the question's name; a question with
`show_if` appears only when an earlier answer calls for it, both in the browser and when the
server reads the answers (a hidden question's answer is dropped). A list of records (treatments
tried, imaging done) is a multiple choice whose ticked options are the items, plus follow-up
questions (`item_of`) about each ticked item; `Question.fills` names what each one answers, and
tests/unit/test_engine_fields_are_asked.py checks that every field the engine reads is asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from shared.clinical_record import (
    Activity,
    Aggravator,
    ImagingModality,
    ImagingResult,
    InjuryMechanism,
    Onset,
    PainLocation,
    PreVisitHistory,
    Severity,
    TrainingChange,
    Treatment,
)

YES_NO = ("yes", "no", "unsure")
# A personal question a patient may decline: "does not apply" and "rather not say" record no
# answer (None), never "no".
YES_NO_PERSONAL = ("yes", "no", "not_applicable", "prefer_not_to_say")
ANSWERS_OF_YESNO = {"yes": True, "no": False, "unsure": None, "not_applicable": None,
                    "prefer_not_to_say": None}
ANY = "*"  # show_if value: any answer at all


@dataclass(frozen=True)
class Question:
    name: str
    kind: str  # choice | yesno | multi | bodymap | scale | number | date | text
    options: tuple[str, ...] = ()
    required: bool = False
    show_if: dict[str, tuple[str, ...]] = field(default_factory=dict)
    maximum: int | None = None
    # A list of records (treatments tried, imaging done): each ticked option is one item, and
    # the option fills this field of it.
    item_field: str | None = None
    # A follow-up about one item of such a list: (list question, option, the item's field).
    item_of: tuple[str, str, str] | None = None
    # Where the options' texts live, when several questions share them: q.<option_texts>.<opt>.
    option_texts: str | None = None

    @property
    def is_list(self) -> bool:
        return self.kind in ("multi", "bodymap")

    @property
    def fills(self) -> tuple[str, ...]:
        """The PreVisitHistory fields this question answers, an item's field as `list.field`."""
        if self.item_of:
            return (f"{self.item_of[0]}.{self.item_of[2]}",)
        if self.item_field:
            return (self.name, f"{self.name}.{self.item_field}")
        return (self.name,)


@dataclass(frozen=True)
class Step:
    name: str
    questions: tuple[Question, ...]
    show_if: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _values(enum) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


INJURY = {"onset": (Onset.INJURY.value,)}
GRADUAL = {"onset": (Onset.GRADUAL.value,)}


def _weeks_of_each_treatment() -> tuple[Question, ...]:
    return tuple(
        Question(f"treatments_tried_{t.value}_weeks", "number", maximum=520,
                 show_if={"treatments_tried": (t.value,)},
                 item_of=("treatments_tried", t.value, "weeks"))
        for t in Treatment)


def _result_of_each_imaging() -> tuple[Question, ...]:
    questions: list[Question] = []
    for modality in ImagingModality:
        shown = {"imaging_done": (modality.value,)}
        questions += [
            Question(f"imaging_{modality.value}_result", "choice", _values(ImagingResult),
                     required=True, show_if=shown, option_texts="imaging_result",
                     item_of=("imaging_done", modality.value, "result")),
            Question(f"imaging_{modality.value}_days_ago", "number", maximum=36500,
                     show_if=shown, item_of=("imaging_done", modality.value, "days_ago")),
        ]
    return tuple(questions)


STEPS: tuple[Step, ...] = (
    Step("about", (
        Question("side", "choice", ("left", "right", "both"), required=True),
        Question("onset", "choice", _values(Onset), required=True),
        Question("onset_date", "date"),
    )),
    Step("injury", (
        Question("injury_mechanism", "choice", _values(InjuryMechanism), required=True),
        Question("high_energy_injury", "yesno", YES_NO, required=True),
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
        Question("pain_eases_after_warm_up", "yesno", YES_NO, show_if=GRADUAL),
        Question("pain_settles_with_rest", "yesno", YES_NO, show_if=GRADUAL),
        Question("aggravators", "multi", _values(Aggravator)),
        Question("burning_or_tingling_in_sole", "yesno", YES_NO),
        Question("back_pain_or_radiating_leg_pain", "yesno", YES_NO),
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
        Question("training_changes", "multi", _values(TrainingChange), show_if=GRADUAL),
        Question("weekly_load_increase_percent", "number", maximum=1000,
                 show_if={"training_changes": (TrainingChange.MILEAGE_INCREASE.value,)}),
        Question("calves_or_hamstrings_feel_tight", "yesno", YES_NO),
        Question("previous_ankle_sprains", "number", maximum=100),
        Question("previous_stress_fracture", "yesno", YES_NO),
        Question("low_bone_density", "yesno", YES_NO),
        Question("periods_stopped_or_irregular", "yesno", YES_NO_PERSONAL),
        Question("diabetes", "yesno", YES_NO, required=True),
        Question("foot_ulcer", "yesno", YES_NO, required=True, show_if={"diabetes": ("yes",)}),
        Question("peripheral_neuropathy", "yesno", YES_NO),
        Question("takes_blood_thinners", "yesno", YES_NO, required=True),
        Question("pregnant", "yesno", YES_NO_PERSONAL),
    )),
    Step("treatment", (
        Question("treatments_tried", "multi", _values(Treatment), item_field="treatment"),
        *_weeks_of_each_treatment(),
        Question("improvement_percent", "number", maximum=100,
                 show_if={"treatments_tried": (ANY,)}),
        Question("imaging_done", "multi", _values(ImagingModality), item_field="modality"),
        *_result_of_each_imaging(),
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


def read_answers(answers: dict[str, list[str]], *, complete: bool = True) -> FormResult:
    """The submitted form as a PreVisitHistory, or which questions need an answer.

    `complete=False` reads a record of what was answered rather than a form being sent (a
    QuestionnaireResponse read back for decision support): an unanswered question is unknown,
    as the engine reads None, not an error."""
    values, errors = {}, {}
    item_answers: dict[tuple[str, str], dict] = {}  # (list question, option) -> item fields
    for question in QUESTIONS.values():
        given = [v.strip() for v in answers.get(question.name, []) if v.strip()]
        if not is_shown(question, answers) or not given:
            if complete and question.required and is_shown(question, answers):
                errors[question.name] = "error.required"
            continue
        try:
            value = _convert(question, given)
        except (ValueError, KeyError):
            errors[question.name] = "error.invalid"
            continue
        if question.item_of:
            list_name, option, item_field = question.item_of
            item_answers.setdefault((list_name, option), {})[item_field] = value
        else:
            values[question.name] = value
    if errors:
        return FormResult(None, errors)
    for question in QUESTIONS.values():
        if question.item_field and question.name in values:
            values[question.name] = [
                {question.item_field: option, **item_answers.get((question.name, option), {})}
                for option in values[question.name]]
    try:
        return FormResult(PreVisitHistory(**values), {})
    except ValidationError as invalid:
        return FormResult(None, {str(e["loc"][0]): "error.invalid" for e in invalid.errors()})


def _convert(question: Question, given: list[str]):
    if question.kind == "yesno":
        if given[0] not in question.options:
            raise ValueError(question.name)
        return ANSWERS_OF_YESNO[given[0]]
    if question.is_list:
        return given
    if question.kind in ("number", "scale"):
        number = int(given[0])
        if number < 0 or (question.maximum is not None and number > question.maximum):
            raise ValueError(question.name)
        return number
    return given[0]
