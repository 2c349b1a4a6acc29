"""The expected course of recovery, and whether a case keeps to it. Pure: no I/O.

The course is the running-injury article's healing times (seed 004_ad83bbae4b3e43d7.txt, "How
Long Does it Take to Heal?"), counted in days of care from the case's first triage decision:
- pain under 3 weeks old: expect improvement within 2-3 weeks of care;
- pain present more than 3 months: a 3-week course, then reassess; about 50 % better means full
  resolution may take another 3 weeks, only about 10 % better means care may continue up to 20
  weeks.

What the article leaves open, decided here and shown to the clinician as such:
- "improvement" is a drop of at least 30 % in the 0-10 pain rating (the usual threshold for a
  change patients notice); "full resolution" is 90 % or more;
- pain between 3 weeks and 3 months old, or of unknown age, is held to the short course (the
  earlier expectation: a case is looked at sooner, never later);
- improvement is measured on pain (the pre-visit form's rating is the starting point); with no
  pain rating to compare, on the function score (0-100, higher is better).
A case is behind when a score at or after a milestone is short of what the course expects then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

LONG_COURSE_ONSET_DAYS = 91  # pain present more than 3 months (13 weeks)
REVIEW_DAY = 21  # 2-3 weeks of care; the long course's reassessment
FAST_RESOLUTION_DAY = 42  # about half better at 3 weeks: full resolution in another 3 weeks
SLOW_RESOLUTION_DAY = 140  # only about 10 % better: care may continue up to 20 weeks
IMPROVED = 30
HALF_BETTER = 50
LITTLE_BETTER = 10
RESOLVED = 90


class Course(StrEnum):
    SHORT = "short"  # improvement expected within 2-3 weeks of care
    LONG = "long"  # 3-week course, reassess, then 3 more weeks or up to 20


class Track(StrEnum):
    """Where a long course goes after its 3-week reassessment."""

    UNDECIDED = "undecided"
    FAST = "fast"  # about half better: resolution by week 6
    SLOW = "slow"  # about 10 % better: up to week 20


@dataclass(frozen=True)
class Score:
    day: int  # days of care when measured (0: the pre-visit form)
    pain: int | None = None  # 0-10, 0 = no pain
    function: int | None = None  # 0-100, 100 = no difficulty


@dataclass(frozen=True)
class Assessment:
    course: Course
    track: Track
    behind: bool
    reason: str
    # The least improvement (%) the course expects by each day: the line the chart draws.
    expected: tuple[tuple[int, int], ...]
    improvements: tuple[tuple[int, int], ...]  # (day, % improvement) of each later score


def course_for(days_since_onset: int | None) -> Course:
    if days_since_onset is not None and days_since_onset >= LONG_COURSE_ONSET_DAYS:
        return Course.LONG
    return Course.SHORT


def improvement(baseline: Score, score: Score) -> int | None:
    """How much better `score` is than `baseline`, in %: on pain when both have a rating and
    there was pain to lose, else on function when there was function to gain."""
    if baseline.pain and score.pain is not None:
        return round((baseline.pain - score.pain) * 100 / baseline.pain)
    if baseline.function is not None and baseline.function < 100 and score.function is not None:
        return round((score.function - baseline.function) * 100 / (100 - baseline.function))
    return None


def baseline_of(scores: Sequence[Score]) -> Score | None:
    """The first pain rating and the first function score given, each where it was given."""
    pain = next((s for s in scores if s.pain is not None), None)
    function = next((s for s in scores if s.function is not None), None)
    if pain is None and function is None:
        return None
    return Score(day=min(s.day for s in (pain, function) if s),
                 pain=pain.pain if pain else None,
                 function=function.function if function else None)


def expected_line(course: Course, track: Track) -> tuple[tuple[int, int], ...]:
    if course is Course.SHORT:
        return ((0, 0), (REVIEW_DAY, IMPROVED), (FAST_RESOLUTION_DAY, IMPROVED))
    if track is Track.FAST:
        return ((0, 0), (REVIEW_DAY, HALF_BETTER), (FAST_RESOLUTION_DAY, RESOLVED))
    return ((0, 0), (REVIEW_DAY, LITTLE_BETTER), (SLOW_RESOLUTION_DAY, RESOLVED))


def assess(days_since_onset: int | None, scores: Sequence[Score]) -> Assessment:
    """Whether the scores (in time order, the pre-visit rating first) keep to the course."""
    course = course_for(days_since_onset)
    scores = sorted(scores, key=lambda s: s.day)
    baseline = baseline_of(scores)
    measured = [] if baseline is None else [
        (s.day, value) for s in scores if s.day > baseline.day
        and (value := improvement(baseline, s)) is not None]
    track, behind, reason = _judge(course, measured)
    return Assessment(course, track, behind, reason, expected_line(course, track),
                      tuple(measured))


def _judge(course: Course, measured: list[tuple[int, int]]) -> tuple[Track, bool, str]:
    at_review = [(day, value) for day, value in measured if day >= REVIEW_DAY]
    if not at_review:
        return Track.UNDECIDED, False, "not yet at the 3-week review"
    day, latest = at_review[-1]
    if course is Course.SHORT:
        if latest < IMPROVED:
            return Track.UNDECIDED, True, (
                f"{latest}% better after {day} days of care; pain under 3 weeks old is "
                f"expected to improve (at least {IMPROVED}%) within 2-3 weeks of care")
        return Track.UNDECIDED, False, f"{latest}% better after {day} days of care"
    _review_day, at_reassessment = at_review[0]
    if at_reassessment < LITTLE_BETTER:
        return Track.UNDECIDED, True, (
            f"{at_reassessment}% better at the 3-week reassessment of pain present over 3 "
            f"months; less than the {LITTLE_BETTER}% that keeps care going")
    track = Track.FAST if at_reassessment >= HALF_BETTER else Track.SLOW
    if latest < LITTLE_BETTER:
        return track, True, (f"{latest}% better after {day} days of care: the gain of the "
                             "3-week reassessment is lost")
    deadline = FAST_RESOLUTION_DAY if track is Track.FAST else SLOW_RESOLUTION_DAY
    if day >= deadline and latest < RESOLVED:
        return track, True, (
            f"{latest}% better after {day} days of care; {at_reassessment}% better at 3 weeks "
            f"means resolution was expected by week {deadline // 7}")
    return track, False, f"{latest}% better after {day} days of care"
