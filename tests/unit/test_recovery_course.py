"""The expected course of recovery (seed 004, "How Long Does it Take to Heal?") applied to
pain and function scores."""

from shared.clinical_record import function_score
from shared.recovery import Course, Score, Track, assess, course_for, improvement


def test_pain_under_three_weeks_old_is_held_to_the_short_course_and_unknown_age_too():
    assert course_for(5) is Course.SHORT
    assert course_for(None) is Course.SHORT
    assert course_for(60) is Course.SHORT  # the article is silent: the earlier expectation
    assert course_for(120) is Course.LONG


def test_improvement_is_measured_on_pain_and_on_function_when_no_pain_was_rated():
    assert improvement(Score(0, pain=8), Score(21, pain=4)) == 50
    assert improvement(Score(0, pain=0, function=40), Score(21, pain=0, function=70)) == 50
    assert improvement(Score(0), Score(21, pain=3)) is None


def test_a_short_course_with_no_improvement_after_three_weeks_of_care_is_behind():
    scores = [Score(0, pain=6), Score(7, pain=6), Score(21, pain=5)]
    result = assess(5, scores)
    assert result.behind and "within 2-3 weeks" in result.reason
    assert result.improvements == ((7, 0), (21, 17))


def test_a_short_course_is_not_judged_before_three_weeks_of_care():
    assert not assess(5, [Score(0, pain=6), Score(7, pain=7)]).behind


def test_a_short_course_improving_by_a_third_at_three_weeks_keeps_to_it():
    assert not assess(5, [Score(0, pain=6), Score(21, pain=4)]).behind


def test_a_long_course_half_better_at_three_weeks_is_expected_resolved_by_week_six():
    on_course = assess(200, [Score(0, pain=8), Score(21, pain=4), Score(35, pain=3)])
    assert (on_course.track, on_course.behind) == (Track.FAST, False)
    late = assess(200, [Score(0, pain=8), Score(21, pain=4), Score(42, pain=3)])
    assert late.behind and "week 6" in late.reason


def test_a_long_course_only_ten_percent_better_may_continue_up_to_twenty_weeks():
    slow = [Score(0, pain=10), Score(21, pain=9), Score(84, pain=6)]
    assert (assess(200, slow).track, assess(200, slow).behind) == (Track.SLOW, False)
    assert assess(200, [*slow, Score(140, pain=3)]).behind
    assert not assess(200, [*slow, Score(140, pain=1)]).behind


def test_a_long_course_less_than_ten_percent_better_at_reassessment_is_behind():
    assert assess(200, [Score(0, pain=10), Score(21, pain=10)]).behind


def test_the_function_score_needs_every_item_and_reads_as_a_percentage():
    items = {"function_walk_indoors": 4, "function_walk_outdoors": 3, "function_stairs": 2,
             "function_stand": 1, "function_usual_activity": 0}
    assert function_score(items) == 50
    assert function_score({**items, "function_stand": None}) is None
