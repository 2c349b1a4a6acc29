"""What the patient answers at a follow-up check-in (questionnaire CHECK_IN_QUESTIONNAIRE_ID)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from shared.clinical_record.base import Percent, _Record

Difficulty = Annotated[int, Field(ge=0, le=4)]


class Trend(StrEnum):
    BETTER = "better"
    SAME = "same"
    WORSE = "worse"


class FollowUpAnswer(_Record):
    """The patient's answer at a follow-up check-in; lets re-triage apply the time escalators."""

    days_since_previous_decision: Annotated[int, Field(ge=0, le=3650)]
    trend: Trend


CHECK_IN_QUESTIONNAIRE_ID = "ankle-check-in"
# 1.1.0 added the pain rating and the function questions (issue 20).
CHECK_IN_QUESTIONNAIRE_VERSION = "1.1.0"


class NewSymptom(StrEnum):
    NUMBNESS = "numbness"
    COLD_OR_PALE_FOOT = "cold_or_pale_foot"
    MORE_SWELLING = "more_swelling"
    REDNESS_OR_WARMTH = "redness_or_warmth"
    CANNOT_BEAR_WEIGHT = "cannot_bear_weight"
    FEVER = "fever"


class CheckInAnswers(_Record):
    """What the patient answers at a follow-up check-in (questionnaire ankle-check-in)."""

    trend: Trend
    improvement_percent: Percent | None = Field(
        None, description="Roughly how much better since the last visit (0 = no better)"
    )
    new_symptoms: list[NewSymptom] = Field(default_factory=list)
    followed_advice: bool | None = Field(None, description="Did you follow the advice given?")
    notes: Annotated[str, Field(max_length=2000)] | None = None
    # The outcome measure (shared/recovery.py): the pre-visit form's 0-10 pain rating asked
    # again, and a short plain-language function question set (FUNCTION_ITEMS; not the LEFS).
    pain_score: Annotated[int, Field(ge=0, le=10)] | None = Field(
        None, description="How bad is the pain at its worst today? 0 = no pain, 10 = worst")
    function_walk_indoors: Difficulty | None = None
    function_walk_outdoors: Difficulty | None = None
    function_stairs: Difficulty | None = None
    function_stand: Difficulty | None = None
    function_usual_activity: Difficulty | None = None


# A plain-language function question set written for this clinic, not a validated instrument:
# the Lower Extremity Functional Scale is free to use, but its exact item wording and its
# validated Spanish version were not at hand, and a home-made translation would not be it. Each
# item is answered 0 (unable) to 4 (no difficulty); the score is the sum as a percentage.
FUNCTION_ITEMS = ("function_walk_indoors", "function_walk_outdoors", "function_stairs",
                  "function_stand", "function_usual_activity")


def function_score(answers: dict) -> int | None:
    """0-100 (100 = no difficulty) from stored check-in answers; None unless every function
    item was answered (a partial sum would read as worse function)."""
    values = [answers.get(item) for item in FUNCTION_ITEMS]
    if any(value is None for value in values):
        return None
    return round(sum(values) * 100 / (4 * len(FUNCTION_ITEMS)))

