"""Missing and contradictory information: what, if answered, could change the queue or urgency.

A ``safety`` check left unanswered, or a contradiction, sends the case to a clinician and keeps
it out of home care. Other checks are listed so staff know what would refine the route.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby

from services.triage.engine.case import CaseInput
from services.triage.engine.facts import NO_EXAM, Facts, Fields, fields
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


def _field_expr(path: str) -> str:
    # History and exam are read from their field dicts (see facts.py on why); case fields are
    # plain dataclass attributes.
    source, _, name = path.partition(".")
    return f"c.{name}" if source == "case" else f"{source[0]}[{name!r}]"


def _unknown_expr(path: str) -> str:
    value = _field_expr(path)
    # An empty list (no pain locations ticked) is as unanswered as None.
    return f"not {value}" if path.endswith(".pain_locations") else f"{value} is None"


def _compile_checks(checks: tuple[Check, ...], contradictions: tuple[Contradiction, ...]):
    """Generate one straight-line function from the checks and contradictions (as matcher.py).

    It returns the questions in table order, checks first, and whether any is safety-relevant
    (every contradiction is).
    """
    lines = ["def run(c, f, h, e):", "    out = []", "    add = out.append", "    unsafe = False"]
    # Questions go in as string constants; facts are read as slots, fields as dict items.
    # Consecutive checks with the same relevance share one test of it.
    for when, group in groupby(checks, key=lambda check: check.when):
        relevant = " and ".join(f"f.{name}" for name in when if name != "always")
        indent = "    "
        if relevant:
            lines.append(f"    if {relevant}:")
            indent = "        "
        for check in group:
            joiner = " or " if check.any_field else " and "
            # A check without fields asks whenever it is relevant (its facts say what is open).
            unknown = joiner.join(_unknown_expr(p) for p in check.fields) or "True"
            flag = "; unsafe = True" if check.safety else ""
            lines.append(f"{indent}if {unknown}: add({check.question!r}){flag}")
    lines.append(
        "    if h['onset'] is GRADUAL and h['injury_mechanism'] is not None:"
        f" add({GRADUAL_WITH_MECHANISM!r}); unsafe = True"
    )
    for pair in contradictions:
        # Without an exam every exam field is None, so nothing can contradict.
        reported, examined = f"h[{pair.history_field!r}]", f"e[{pair.exam_field!r}]"
        lines.append(
            f"    if {reported} is not None and {examined} is not None and {reported} != "
            f"{examined}: add({pair.question!r}); unsafe = True"
        )
    lines.append("    return tuple(out), unsafe")
    namespace: dict = {"GRADUAL": Onset.GRADUAL}
    exec(compile("\n".join(lines), "<missing checks>", "exec"), namespace)  # noqa: S102
    return namespace["run"]


# ``find_missing`` given the history's and exam's field dicts, which the engine reads once:
# find_missing_from(case, facts, history_fields, exam_fields) -> (questions, safety_relevant).
find_missing_from: Callable[[CaseInput, Facts, Fields, Fields], tuple[tuple[str, ...], bool]] = (
    _compile_checks(CHECKS, CONTRADICTIONS)
)


def find_missing(case: CaseInput, facts: Facts) -> tuple[tuple[str, ...], bool]:
    """Return the questions to ask and whether any of them is safety-relevant."""
    return find_missing_from(case, facts, fields(case.history), fields(case.exam or NO_EXAM))
