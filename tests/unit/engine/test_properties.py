"""Property tests over generated valid cases (hypothesis), bounded to run in seconds."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.cases import random_case
from services.triage.engine import Queue, Urgency, evaluate
from services.triage.engine.baseline import route
from shared.clinical_record import ExamFindings, PreVisitHistory

cases = st.integers(min_value=0, max_value=2**32).map(lambda seed: random_case(random.Random(seed)))

RED_FLAGS = (
    ("history", "foot_cold_pale_or_blue"),
    ("history", "joint_hot_red_swollen"),
    ("history", "saddle_numbness_or_bladder_bowel_change"),
    ("exam", "pulses_absent"),
    ("exam", "tense_compartment"),
    ("exam", "open_wound_over_fracture_or_joint"),
)
SAFETY_QUESTIONS = (
    "onset",
    "foot_cold_pale_or_blue",
    "joint_hot_red_swollen",
    "numbness_or_tingling",
)


def _with(case, source: str, field: str, value):
    if source == "history":
        history = PreVisitHistory(**{**case.history.model_dump(), field: value})
        return type(case)(**{**case.__dict__, "history": history})
    exam = ExamFindings(**{**(case.exam or ExamFindings()).model_dump(), field: value})
    return type(case)(**{**case.__dict__, "exam": exam})


@settings(max_examples=300, deadline=None)
@given(cases)
def test_every_case_gets_exactly_one_queue_and_an_urgency_without_raising(case):
    d = evaluate(case)
    assert isinstance(d.queue, Queue) and isinstance(d.urgency, Urgency)
    assert (d.imaging_modality is not None) == (d.queue is Queue.IMAGING)
    assert d.to_dict()["queue"] == d.queue.value


@settings(max_examples=200, deadline=None)
@given(cases, st.sampled_from(RED_FLAGS))
def test_adding_a_red_flag_never_lowers_urgency(case, flag):
    before = evaluate(case)
    after = evaluate(_with(case, *flag, True))
    assert after.urgency.rank >= before.urgency.rank
    assert after.urgency is Urgency.EMERGENCY


@settings(max_examples=200, deadline=None)
@given(cases, st.sampled_from(SAFETY_QUESTIONS))
def test_unknown_safety_answer_never_goes_home_without_clinician_review(case, field):
    d = evaluate(_with(case, "history", field, None))
    assert d.needs_clinician_review
    assert d.queue is not Queue.HOME_CARE
    assert d.missing_information


@settings(max_examples=200, deadline=None)
@given(cases)
def test_home_care_is_only_ever_given_without_a_review_flag(case):
    d = evaluate(case)
    assert not (d.queue is Queue.HOME_CARE and d.needs_clinician_review)


@settings(max_examples=200, deadline=None)
@given(cases)
def test_same_case_and_rule_set_always_give_the_same_decision(case):
    assert evaluate(case).to_dict() == evaluate(case).to_dict()


@settings(max_examples=300, deadline=None)
@given(cases)
def test_hand_written_baseline_routes_every_case_like_the_engine(case):
    d = evaluate(case)
    assert route(case) == (d.queue, d.urgency, d.imaging_modality)
