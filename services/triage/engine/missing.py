"""Missing and contradictory information: what, if answered, could change the queue or urgency.

A ``safety`` check left unanswered, or a contradiction, sends the case to a clinician and keeps
it out of home care. Other checks are listed so staff know what would refine the route.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.triage.engine.case import CaseInput
from services.triage.engine.facts import Facts
from shared.clinical_record import Onset


@dataclass(frozen=True)
class Check:
    """Unanswered when every field in ``fields`` is None (an empty list counts as None), or,
    with no fields, whenever its ``when`` facts hold (they describe what is open).

    ``any_field``: unanswered as soon as one of them is None. ``when``: facts that make the
    question relevant ("always" for every case).
    """

    question: str
    fields: tuple[str, ...]
    when: tuple[str, ...] = ("always",)
    safety: bool = True
    any_field: bool = False


@dataclass(frozen=True)
class Contradiction:
    question: str
    history_field: str
    exam_field: str


_TRAUMA = ("trauma_or_onset_unknown",)

CHECKS = (
    Check(
        "Did the pain start with an injury (twist, fall, blow) or gradually?", ("history.onset",)
    ),
    Check("Is the foot cold, pale or blue?", ("history.foot_cold_pale_or_blue",)),
    Check("Is the joint hot, red and swollen?", ("history.joint_hot_red_swollen",)),
    Check("Any numbness or tingling in the foot?", ("history.numbness_or_tingling",)),
    Check(
        "Fever or feeling unwell, or the temperature?",
        ("history.fever_or_unwell", "exam.temperature_celsius"),
    ),
    Check(
        "Is the foot red, warm and swollen?",
        ("history.foot_red_warm_swollen", "exam.foot_red_warm_swollen_skin_intact"),
    ),
    Check(
        "Saddle numbness, or a change in bladder or bowel control?",
        ("history.saddle_numbness_or_bladder_bowel_change",),
    ),
    Check(
        "Right after the injury, could the patient take four steps (limping counts)?",
        ("history.walked_four_steps_immediately",),
        # Walking four steps now already makes the weight-bearing criterion negative.
        ("trauma_or_onset_unknown", "walking_now_not_confirmed"),
    ),
    Check(
        "Can the patient take four steps now (limping counts)?",
        ("exam.bears_weight_four_steps_in_clinic", "history.walks_four_steps_now"),
        _TRAUMA,
    ),
    Check(
        "Is there a visible deformity?", ("history.visible_deformity", "exam.deformity"), _TRAUMA
    ),
    Check(
        "Is there a wound over the injury?",
        ("history.wound_over_injury", "exam.open_wound_over_fracture_or_joint"),
        _TRAUMA,
    ),
    Check("Patient's age (the Ottawa and child rules depend on it)", ("case.age_years",), _TRAUMA),
    Check(
        "Days since the injury (the Ottawa rules hold only within 10 days)",
        ("case.days_since_onset",),
        _TRAUMA,
    ),
    Check(
        "Bony tenderness at the posterior edge or tip of either malleolus?",
        (
            "exam.tender_lateral_malleolus_posterior_edge_or_tip",
            "exam.tender_medial_malleolus_posterior_edge_or_tip",
        ),
        ("bony_points_open",),
        any_field=True,
    ),
    Check(
        "Bony tenderness at the base of the fifth metatarsal or the navicular?",
        ("exam.tender_base_of_fifth_metatarsal", "exam.tender_navicular"),
        ("bony_points_open",),
        any_field=True,
    ),
    Check(
        "Ottawa exclusions: intoxication, head injury, multiple painful injuries, reduced "
        "sensation?",
        (
            "exam.intoxicated",
            "exam.head_injury",
            "exam.multiple_painful_injuries",
            "exam.reduced_sensation",
        ),
        ("ottawa_negative",),
        any_field=True,
    ),
    Check("Foot pulses present?", ("exam.pulses_absent",), ("exam_done",)),
    Check(
        "How swollen: mild, moderate or severe (severe swelling after an injury needs an X-ray)?",
        (),
        ("trauma", "swelling_severity_unknown"),
    ),
    Check(
        "Syndesmosis tender: squeeze test and external-rotation test results?",
        ("exam.squeeze_test_positive", "exam.external_rotation_test_positive"),
        ("syndesmosis_tender",),
        any_field=True,
    ),
    Check(
        "Calf squeeze (Thompson) test: does the foot plantarflex?",
        ("exam.calf_squeeze_no_plantarflexion",),
        ("posterior_pain_after_trauma",),
    ),
    Check(
        "Diabetic patient: is the foot red, warm and swollen?",
        ("history.foot_red_warm_swollen", "exam.foot_red_warm_swollen_skin_intact"),
        ("diabetic",),
    ),
    Check("Diabetic patient: is there a foot ulcer?", ("history.foot_ulcer",), ("diabetic",)),
    Check(
        "Does the patient have diabetes (red, warm, swollen foot: Charcot)?",
        ("history.diabetes",),
        ("red_warm_foot_reported",),
    ),
    Check(
        "Syndesmosis tenderness, squeeze and external-rotation tests (Ottawa is often "
        "negative in high ankle sprains)",
        ("exam.tender_syndesmosis",),
        ("ottawa_negative",),
        safety=False,
    ),
    Check(
        "Low Risk Ankle Rule exam: tenderness and swelling only over the distal fibula or "
        "lateral ligaments?",
        ("exam.low_risk_ankle_exam",),
        ("trauma", "age_3_to_16", "within_three_days"),
        safety=False,
    ),
    Check(
        "Is the shin tenderness focal (under 5 cm: stress fracture) or diffuse (shin splints)?",
        ("exam.shin_tenderness",),
        ("shin_pain_tenderness_unexamined",),
        safety=False,
    ),
    Check(
        "How much better since treatment started?",
        ("history.improvement_percent",),
        ("treatment_tried",),
        safety=False,
    ),
    Check(
        "How long has the pain lasted (days)?",
        ("case.days_since_onset",),
        ("gradual",),
        safety=False,
    ),
    Check(
        "Calf squeeze (Thompson) test, to exclude a rupture",
        ("exam.calf_squeeze_no_plantarflexion",),
        ("achilles_tendinopathy_suspected",),
        safety=False,
    ),
    Check(
        "Was it a high-energy injury (road traffic, fall from height, crush)?",
        ("history.high_energy_injury",),
        ("recent_injury",),
        safety=False,
    ),
    Check(
        "Known loss of feeling in the feet (neuropathy)? Red, warm, swollen foot: Charcot",
        ("history.peripheral_neuropathy",),
        ("red_warm_foot_reported",),
        safety=False,
    ),
    Check(
        "Back pain or pain shooting down the leg (the S1 root can mimic tarsal tunnel)?",
        ("history.back_pain_or_radiating_leg_pain",),
        ("burning_or_numb_sole_without_trauma",),
        safety=False,
    ),
    Check(
        "Bone-stress risk: previous stress fracture, low bone density, periods stopped?",
        (
            "history.previous_stress_fracture",
            "history.low_bone_density",
            "history.periods_stopped_or_irregular",
        ),
        ("possible_bone_stress",),
        safety=False,
    ),
    Check(
        "What did the earlier imaging show?",
        (),
        ("prior_imaging_result_unknown",),
        safety=False,
    ),
)

CONTRADICTIONS = (
    Contradiction(
        "Patient and examiner disagree on a cold or pale foot: recheck circulation",
        "foot_cold_pale_or_blue",
        "foot_cold_or_pale",
    ),
    Contradiction(
        "Patient and examiner disagree on deformity: recheck", "visible_deformity", "deformity"
    ),
    Contradiction(
        "Patient and examiner disagree on a hot, swollen joint: recheck",
        "joint_hot_red_swollen",
        "joint_hot_swollen_restricted",
    ),
)
GRADUAL_WITH_MECHANISM = (
    "Onset reported as gradual but an injury was described: was there an injury?"
)


def _answer(path: str, case: CaseInput, facts: Facts):
    """The answer at ``path`` ("history.x", "exam.x" or "case.x"); an empty list is None."""
    source, _, name = path.partition(".")
    record = {"history": facts.history, "exam": facts.exam, "case": case}[source]
    value = getattr(record, name)
    return None if value == [] else value


def _unanswered(check: Check, case: CaseInput, facts: Facts) -> bool:
    if not check.fields:
        return True  # a check without fields is open whenever it is relevant
    unknown = [_answer(path, case, facts) is None for path in check.fields]
    return any(unknown) if check.any_field else all(unknown)


def find_missing(case: CaseInput, facts: Facts) -> tuple[tuple[str, ...], bool]:
    """The questions to ask, in table order, and whether any of them is safety-relevant.

    Every contradiction between patient and examiner is safety-relevant.
    """
    questions: list[str] = []
    unsafe = False
    for check in CHECKS:
        if all(facts[name] for name in check.when) and _unanswered(check, case, facts):
            questions.append(check.question)
            unsafe = unsafe or check.safety
    history, exam = facts.history, facts.exam
    if history.onset is Onset.GRADUAL and history.injury_mechanism is not None:
        questions.append(GRADUAL_WITH_MECHANISM)
        unsafe = True
    for pair in CONTRADICTIONS:
        reported = getattr(history, pair.history_field)
        examined = getattr(exam, pair.exam_field)
        # Without an exam every exam field is None, so nothing can contradict.
        if reported is not None and examined is not None and reported != examined:
            questions.append(pair.question)
            unsafe = True
    return tuple(questions), unsafe
