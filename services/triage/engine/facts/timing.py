"""When the pain started, how long ago, and how old the patient is."""

from __future__ import annotations

from services.triage.engine.facts.base import Facts, fact
from shared.clinical_record import Onset


def _days(f: Facts) -> int | None:
    return f.case.days_since_onset


def _age(f: Facts) -> int | None:
    return f.case.age_years


@fact
def trauma(f: Facts) -> bool:
    """The pain started with an injury (a twist, fall, blow or landing)."""
    return f.history.onset is Onset.INJURY


@fact
def gradual(f: Facts) -> bool:
    """The pain came on gradually, without an injury."""
    return f.history.onset is Onset.GRADUAL


@fact
def no_injury_reported(f: Facts) -> bool:
    """No injury was reported (gradual, or the onset not given): the findings are read as
    overuse findings too, so a tender bone without a reported injury still counts. An unknown
    onset is asked for separately, as a safety question."""
    return f.history.onset is not Onset.INJURY


@fact
def trauma_or_onset_unknown(f: Facts) -> bool:
    """An injury, or the onset not given: the injury questions apply."""
    return f.history.onset is not Onset.GRADUAL


@fact
def duration_unknown(f: Facts) -> bool:
    return _days(f) is None


@fact
def acute_trauma(f: Facts) -> bool:
    """An injury within the Ottawa rules' 10 days."""
    days = _days(f)
    return f.trauma and days is not None and days <= 10


@fact
def recent_injury(f: Facts) -> bool:
    """An injury within 10 days, or of unknown date: recent until its date is known."""
    days = _days(f)
    return f.trauma and (days is None or days <= 10)


@fact
def late_trauma_presentation(f: Facts) -> bool:
    """More than 10 days after an injury. No upper bound: a late presenter must not drop to a
    lower route a day later."""
    days = _days(f)
    return f.trauma and days is not None and days > 10


def _beyond(f: Facts, limit: int) -> bool:
    days = _days(f)
    return days is not None and days > limit


@fact
def beyond_one_week(f: Facts) -> bool:
    return _beyond(f, 7)


@fact
def beyond_three_weeks(f: Facts) -> bool:
    return _beyond(f, 21)


@fact
def beyond_six_weeks(f: Facts) -> bool:
    return _beyond(f, 42)


@fact
def beyond_twelve_weeks(f: Facts) -> bool:
    return _beyond(f, 84)


@fact
def within_three_days(f: Facts) -> bool:
    days = _days(f)
    return days is not None and days < 3


def _age_between(f: Facts, low: int, below: int) -> bool:
    age = _age(f)
    return age is not None and low <= age < below


@fact
def child(f: Facts) -> bool:
    return _age_between(f, 0, 18)


@fact
def under_5(f: Facts) -> bool:
    return _age_between(f, 0, 5)


@fact
def age_3_to_16(f: Facts) -> bool:
    """The Low Risk Ankle Rule's population."""
    return _age_between(f, 3, 17)


@fact
def adolescent(f: Facts) -> bool:
    return _age_between(f, 10, 18)
