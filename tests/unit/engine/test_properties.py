"""Metamorphic properties of the engine over generated cases that cover every field.

Each property is a clinical principle that must hold for every input, not a vignette: adding a
danger sign never lowers the route, an unknown safety answer is never read as "no", the Ottawa
outcome does not hang on the patient's pain map, and a decision states only findings that were
made. Each runs at least PROPERTY_EXAMPLES cases in CI; conftest.py prints how many each checked.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.triage.engine import CaseInput, Decision, Queue, Urgency, evaluate
from services.triage.engine.evaluate import QUEUE_RANK
from services.triage.engine.evidence import DETAILS, FINDINGS
from services.triage.engine.facts import derive_facts
from services.triage.engine.findings import PROFILES
from shared.clinical_record import ExamFindings, PainLocation
from tests.unit.engine.conftest import count_example
from tests.unit.engine.generated import cases

# At least 2,000 in CI; set ENGINE_PROPERTY_EXAMPLES higher for a deeper search before a release.
PROPERTY_EXAMPLES = max(2000, int(os.environ.get("ENGINE_PROPERTY_EXAMPLES", "2000")))
thorough = settings(
    max_examples=PROPERTY_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@dataclass(frozen=True)
class Answer:
    """One safety answer: where it lives and which value points to danger."""

    source: str  # "history" or "exam"
    field: str
    danger: object = True

    @property
    def reassuring(self) -> object:
        return (not self.danger) if isinstance(self.danger, bool) else None

    def of(self, case: CaseInput):
        record = case.history if self.source == "history" else case.exam
        return None if record is None else getattr(record, self.field)

    def set(self, case: CaseInput, value) -> CaseInput:
        if self.source == "history":
            return replace(case, history=case.history.model_copy(update={self.field: value}))
        exam = (case.exam or ExamFindings()).model_copy(update={self.field: value})
        return replace(case, exam=exam)


H, E = "history", "exam"
DANGER_SIGNS = (
    Answer(H, "foot_cold_pale_or_blue"),
    Answer(H, "joint_hot_red_swollen"),
    Answer(H, "numbness_or_tingling"),
    Answer(H, "fever_or_unwell"),
    Answer(H, "visible_deformity"),
    Answer(H, "wound_over_injury"),
    Answer(H, "saddle_numbness_or_bladder_bowel_change"),
    Answer(H, "foot_red_warm_swollen"),
    Answer(H, "foot_ulcer"),
    Answer(H, "high_energy_injury"),
    Answer(H, "walks_four_steps_now", danger=False),
    Answer(H, "walked_four_steps_immediately", danger=False),
    Answer(E, "tender_lateral_malleolus_posterior_edge_or_tip"),
    Answer(E, "tender_medial_malleolus_posterior_edge_or_tip"),
    Answer(E, "tender_base_of_fifth_metatarsal"),
    Answer(E, "tender_navicular"),
    Answer(E, "tender_proximal_fibula"),
    Answer(E, "bears_weight_four_steps_in_clinic", danger=False),
    Answer(E, "pulses_absent"),
    Answer(E, "foot_cold_or_pale"),
    Answer(E, "motor_deficit"),
    Answer(E, "pain_out_of_proportion"),
    Answer(E, "pain_on_passive_toe_stretch"),
    Answer(E, "tense_compartment"),
    Answer(E, "joint_hot_swollen_restricted"),
    Answer(E, "foot_red_warm_swollen_skin_intact"),
    Answer(E, "deformity"),
    Answer(E, "open_wound_over_fracture_or_joint"),
    Answer(E, "calf_squeeze_no_plantarflexion"),
    Answer(E, "palpable_achilles_gap"),
    Answer(E, "temperature_celsius", danger=38.5),
)


def _always(case: CaseInput) -> bool:
    return True


def _injury_possible(case: CaseInput) -> bool:
    return case.history.onset != "gradual"


def _examined(case: CaseInput) -> bool:
    return case.exam is not None


def _both_unknown(other: Answer) -> Callable[[CaseInput], bool]:
    # The question is answered when its other half (patient or examiner) answered it.
    return lambda case: other.of(case) is None


def _after_injury(gap: Callable[[CaseInput], bool]) -> Callable[[CaseInput], bool]:
    # Deformity and wounds are asked after an injury (or when the onset is not known).
    return lambda case: _injury_possible(case) and gap(case)


def _walking_now_not_confirmed(case: CaseInput) -> bool:
    in_clinic = case.exam.bears_weight_four_steps_in_clinic if case.exam else None
    now = in_clinic if in_clinic is not None else case.history.walks_four_steps_now
    return _injury_possible(case) and now is not True


def _walking_unknown(case: CaseInput) -> bool:
    in_clinic = case.exam.bears_weight_four_steps_in_clinic if case.exam else None
    return _injury_possible(case) and in_clinic is None


# Safety answers and when an unknown one is a gap that must block home care.
SAFETY_ANSWERS: tuple[tuple[Answer, Callable[[CaseInput], bool]], ...] = (
    (Answer(H, "foot_cold_pale_or_blue"), _always),
    (Answer(H, "joint_hot_red_swollen"), _always),
    (Answer(H, "numbness_or_tingling"), _always),
    (Answer(H, "saddle_numbness_or_bladder_bowel_change"), _always),
    (Answer(H, "fever_or_unwell"), _both_unknown(Answer(E, "temperature_celsius"))),
    (
        Answer(H, "foot_red_warm_swollen"),
        _both_unknown(Answer(E, "foot_red_warm_swollen_skin_intact")),
    ),
    (Answer(H, "walks_four_steps_now", danger=False), _walking_unknown),
    (Answer(H, "walked_four_steps_immediately", danger=False), _walking_now_not_confirmed),
    (Answer(H, "visible_deformity"), _after_injury(_both_unknown(Answer(E, "deformity")))),
    (
        Answer(H, "wound_over_injury"),
        _after_injury(_both_unknown(Answer(E, "open_wound_over_fracture_or_joint"))),
    ),
    (Answer(E, "tender_lateral_malleolus_posterior_edge_or_tip"), _examined),
    (Answer(E, "tender_medial_malleolus_posterior_edge_or_tip"), _examined),
    (Answer(E, "tender_base_of_fifth_metatarsal"), _examined),
    (Answer(E, "tender_navicular"), _examined),
    (Answer(E, "pulses_absent"), _examined),
)


def rank(decision: Decision) -> tuple[int, int]:
    return QUEUE_RANK[decision.queue], decision.urgency.rank


def never_lower(before: Decision, after: Decision) -> None:
    assert QUEUE_RANK[after.queue] >= QUEUE_RANK[before.queue], (before.queue, after.queue)
    assert after.urgency.rank >= before.urgency.rank, (before.urgency, after.urgency)


@thorough
@given(cases, st.sampled_from(DANGER_SIGNS))
def test_adding_any_single_danger_sign_never_lowers_the_queue_or_the_urgency(case, sign):
    count_example("adding a danger sign never lowers queue or urgency")
    never_lower(evaluate(case), evaluate(sign.set(case, sign.danger)))


@thorough
@given(cases, st.sampled_from(SAFETY_ANSWERS))
def test_a_reassuring_answer_turned_unknown_never_lowers_and_never_goes_home(case, pair):
    answer, is_gap = pair
    case = answer.set(case, answer.reassuring)
    unknown = answer.set(case, None)
    count_example("'no' turned 'unknown' never lowers, never home care")
    before, after = evaluate(case), evaluate(unknown)
    never_lower(before, after)
    if is_gap(unknown):
        assert after.queue is not Queue.HOME_CARE
        assert after.needs_clinician_review
        assert after.missing_information


@thorough
@given(cases, st.sampled_from(SAFETY_ANSWERS))
def test_an_unknown_safety_answer_turned_yes_never_lowers(case, pair):
    answer, _ = pair
    count_example("'unknown' turned 'yes' never lowers")
    unknown = answer.set(case, None)
    never_lower(evaluate(unknown), evaluate(answer.set(case, answer.danger)))


# The findings that always count, whatever else was or was not answered (the brief's list:
# a tender bony point, not bearing weight, fever, a red hot swollen joint or foot, numbness,
# a cold foot), with the exam's signs of a threatened limb.
NEVER_HOME = tuple(
    sign
    for sign in DANGER_SIGNS
    if sign.field
    not in {
        "visible_deformity",  # deformity and wounds count after an injury (red flags)
        "wound_over_injury",
        "deformity",
        "high_energy_injury",
        "foot_ulcer",  # asked of people with diabetes, where the ulcer rules read it
        "walked_four_steps_immediately",  # negative on its own once the patient walks now
        "palpable_achilles_gap",  # one of four AAOS criteria; two make a rupture
        "pain_out_of_proportion",  # a compartment sign after an injury
    }
)


@thorough
@given(cases, st.sampled_from(NEVER_HOME))
def test_no_decision_goes_home_with_a_finding_that_points_to_danger(case, sign):
    count_example("a danger sign never ends in home care")
    decision = evaluate(sign.set(case, sign.danger))
    assert decision.queue is not Queue.HOME_CARE, sign.field


ZONE_FIELDS = ("pain_in_malleolar_zone", "pain_in_midfoot_zone")
POINTS = (
    "tender_lateral_malleolus_posterior_edge_or_tip",
    "tender_medial_malleolus_posterior_edge_or_tip",
    "tender_base_of_fifth_metatarsal",
    "tender_navicular",
)
pain_maps = st.lists(st.sampled_from(list(PainLocation)), max_size=4, unique=True)
zones = st.sampled_from((True, False, None))


@thorough
@given(cases, st.tuples(*(st.booleans() for _ in POINTS)), pain_maps, zones, zones)
def test_the_ottawa_outcome_does_not_depend_on_the_pain_areas_once_the_points_are_recorded(
    case, points, pain_map, malleolar, midfoot
):
    count_example("Ottawa outcome independent of the pain areas ticked")
    exam = (case.exam or ExamFindings()).model_copy(update=dict(zip(POINTS, points, strict=True)))
    recorded = replace(case, exam=exam)
    remapped = replace(
        recorded,
        history=recorded.history.model_copy(update={"pain_locations": pain_map}),
        exam=exam.model_copy(update=dict(zip(ZONE_FIELDS, (malleolar, midfoot), strict=True))),
    )
    first, second = derive_facts(recorded), derive_facts(remapped)
    for facts in (first, second):
        if True in points and facts.trauma:
            # A tender point always counts: positive inside the window, a fracture sign outside.
            assert facts.ottawa_ankle_positive or facts.ottawa_foot_positive or (
                facts.fracture_sign_outside_ottawa_window or facts.lrar_low_risk
            )
    outcome = ("ottawa_ankle_positive", "ottawa_foot_positive", "ottawa_negative")
    assert (first.ottawa_ankle_positive or first.ottawa_foot_positive) == (
        second.ottawa_ankle_positive or second.ottawa_foot_positive
    )
    assert first.ottawa_negative == second.ottawa_negative, outcome
    assert first.fracture_sign_outside_ottawa_window == second.fracture_sign_outside_ottawa_window


_FACTS_BY_TEXT: dict[str, set[str]] = {}
for _name, _text in FINDINGS.items():
    _FACTS_BY_TEXT.setdefault(_text, set()).add(_name)
for _supporting, _against in PROFILES.values():
    for _name, _text in _supporting + _against:
        _FACTS_BY_TEXT.setdefault(_text, set()).add(_name)


@thorough
@given(cases)
def test_no_decision_states_a_finding_that_was_not_made(case):
    count_example("no rationale states a finding that was not made")
    facts = derive_facts(case)
    decision = evaluate(case)
    stated = [text for rule in decision.rules_fired for text in rule.findings]
    stated += [t for c in decision.conditions for t in c.supporting + c.against]
    for text in stated:
        assert any(facts[name] for name in _FACTS_BY_TEXT[text]), text
    for rule in decision.rules_fired:
        if rule.missing:
            assert set(rule.missing) <= set(decision.missing_information)


@thorough
@given(cases)
def test_every_case_gets_one_queue_an_urgency_and_home_care_only_without_review(case):
    count_example("one queue, one urgency, home care only without review")
    d = evaluate(case)
    assert isinstance(d.queue, Queue) and isinstance(d.urgency, Urgency)
    assert (d.imaging_modality is not None) == (d.queue is Queue.IMAGING)
    assert not (d.queue is Queue.HOME_CARE and d.needs_clinician_review)
    assert d == evaluate(case)  # same case and rule set, same decision


@thorough
@given(cases)
def test_a_higher_urgency_than_the_winning_route_is_always_explained(case):
    count_example("a raised urgency is explained")
    d = evaluate(case)
    routes = {r.rule_id for r in d.rules_fired}
    if d.urgency_reason:
        assert d.urgency_reason.startswith(d.urgency.value)
        assert d.urgency_reason.split(" because ")[1].split(" ")[0] in routes


def test_the_details_of_a_finding_are_named_facts():
    assert set(DETAILS) <= set(FINDINGS)
    assert {fact for parts in DETAILS.values() for fact in parts} <= set(FINDINGS)
