"""How the pain has answered treatment, and the trend reported at a check-in."""

from __future__ import annotations

from services.triage.engine.facts.base import Facts, fact
from shared.clinical_record import Treatment, Trend

# Courses of care that count towards "failed conservative treatment" (not painkillers alone).
CONSERVATIVE = frozenset(
    {
        Treatment.REST,
        Treatment.ICE,
        Treatment.HEAT,
        Treatment.COMPRESSION,
        Treatment.ELEVATION,
        Treatment.STRETCHING,
        Treatment.STRENGTHENING,
        Treatment.PHYSIOTHERAPY,
        Treatment.BRACE_OR_TAPE,
        Treatment.ORTHOSES,
        Treatment.INJECTION,
    }
)


def _weeks(f: Facts, treatments) -> int:
    """The longest course, in weeks, of any of ``treatments`` (0 if none was tried)."""
    return max(
        (tried.weeks or 0 for tried in f.history.treatments_tried if tried.treatment in treatments),
        default=0,
    )


def _trend(f: Facts) -> Trend | None:
    return f.case.follow_up.trend if f.case.follow_up else None


@fact
def followup_worse(f: Facts) -> bool:
    return _trend(f) is Trend.WORSE


@fact
def not_improving(f: Facts) -> bool:
    """The same or worse at a check-in, or less than half better."""
    improvement = f.history.improvement_percent
    return _trend(f) in (Trend.SAME, Trend.WORSE) or (
        improvement is not None and improvement < 50
    )


@fact
def no_real_improvement(f: Facts) -> bool:
    """Worse at a check-in, or less than a quarter better."""
    improvement = f.history.improvement_percent
    return f.followup_worse or (improvement is not None and improvement < 25)


@fact
def treatment_tried(f: Facts) -> bool:
    return bool(f.history.treatments_tried)


@fact
def rest_tried(f: Facts) -> bool:
    return any(tried.treatment is Treatment.REST for tried in f.history.treatments_tried)


@fact
def no_better_after_week_of_rest(f: Facts) -> bool:
    return f.beyond_one_week and f.rest_tried and f.not_improving


@fact
def failed_conservative_12_weeks(f: Facts) -> bool:
    return _weeks(f, CONSERVATIVE) >= 12 and f.not_improving


@fact
def failed_conservative_24_weeks(f: Facts) -> bool:
    return _weeks(f, CONSERVATIVE) >= 24 and f.not_improving


@fact
def failed_6_months_including_physio(f: Facts) -> bool:
    return (
        _weeks(f, CONSERVATIVE) >= 26
        and _weeks(f, {Treatment.PHYSIOTHERAPY}) > 0
        and f.not_improving
    )
