"""The Ottawa ankle and foot rules, their exclusions and the child rules.

The criteria count on their own: a tender bony point or not bearing weight is a finding
whatever the patient ticked and whether or not the case is inside the rules' validated window
(adults and children over 5, within 10 days, no exclusion). The pain zone only says which X-ray
series; outside the window the finding still goes to a clinician and an X-ray, it just cannot
be cleared by a negative rule.
"""

from __future__ import annotations

from services.triage.engine.facts.base import Facts, fact
from shared.clinical_record import PainLocation


def _walks_now(f: Facts) -> bool | None:
    """Four steps now: the examiner's look in clinic, else the patient's answer."""
    in_clinic = f.exam.bears_weight_four_steps_in_clinic
    return in_clinic if in_clinic is not None else f.history.walks_four_steps_now


def _ankle_points(f: Facts) -> tuple[bool | None, bool | None]:
    return (
        f.exam.tender_lateral_malleolus_posterior_edge_or_tip,
        f.exam.tender_medial_malleolus_posterior_edge_or_tip,
    )


def _foot_points(f: Facts) -> tuple[bool | None, bool | None]:
    return (f.exam.tender_base_of_fifth_metatarsal, f.exam.tender_navicular)


@fact
def not_bearing_weight_now(f: Facts) -> bool:
    return _walks_now(f) is False


@fact
def walking_now_not_confirmed(f: Facts) -> bool:
    """Once the patient walks four steps now the weight-bearing criterion is negative whatever
    happened straight after the injury (both time points must fail), so the immediate answer
    is asked only while this holds."""
    return _walks_now(f) is not True


@fact
def child_not_bearing_weight(f: Facts) -> bool:
    return f.child and f.not_bearing_weight_now


@fact
def cannot_bear_weight_both_times(f: Facts) -> bool:
    """Stiell's criterion: four steps impossible straight after the injury and now."""
    return f.history.walked_four_steps_immediately is False and f.not_bearing_weight_now


@fact
def tender_ankle_point(f: Facts) -> bool:
    """Bony tenderness at the posterior edge or tip of either malleolus (distal 6 cm)."""
    return True in _ankle_points(f)


@fact
def tender_foot_point(f: Facts) -> bool:
    """Bony tenderness at the base of the fifth metatarsal or the navicular."""
    return True in _foot_points(f)


@fact
def any_bony_tenderness(f: Facts) -> bool:
    return f.tender_ankle_point or f.tender_foot_point


@fact
def lrar_low_risk(f: Facts) -> bool:
    """Boutis's Low Risk Ankle Rule: a child 3-16 within 3 days, tenderness and swelling only
    over the distal fibula or lateral ligaments. It clears the distal fibula only: the foot
    points must be recorded non-tender, the medial malleolus not tender, and the child must
    walk."""
    return (
        f.trauma
        and f.age_3_to_16
        and f.within_three_days
        and f.exam.low_risk_ankle_exam is True
        and _foot_points(f) == (False, False)
        and _ankle_points(f)[1] is not True
        and not f.not_bearing_weight_now
    )


@fact
def high_energy_injury(f: Facts) -> bool:
    """Road traffic collision, fall from height or crush: outside the rules' population."""
    return f.trauma and f.history.high_energy_injury is True


@fact
def ottawa_excluded(f: Facts) -> bool:
    """Intoxication, head injury, several painful injuries, reduced sensation, pregnancy or a
    high-energy injury: the rules were not validated there."""
    exam = f.exam
    return f.acute_trauma and (
        exam.intoxicated is True
        or exam.head_injury is True
        or exam.multiple_painful_injuries is True
        or exam.reduced_sensation is True
        or f.history.pregnant is True
        or f.high_energy_injury
    )


@fact
def under_5_trauma(f: Facts) -> bool:
    return f.trauma and f.under_5


@fact
def ottawa_applicable(f: Facts) -> bool:
    age = f.case.age_years
    return (
        f.acute_trauma
        and not f.ottawa_excluded
        and age is not None
        and age >= 5
        and not f.lrar_low_risk
    )


@fact
def fracture_sign_outside_ottawa_window(f: Facts) -> bool:
    """A tender bony point or not bearing weight after an injury the rules cannot judge."""
    return (
        f.trauma
        and not f.ottawa_applicable
        and not f.lrar_low_risk
        and (f.any_bony_tenderness or f.not_bearing_weight_now)
    )


@fact
def pain_7_or_more(f: Facts) -> bool:
    score = f.history.pain_score
    return score is not None and score >= 7


@fact
def significant_trauma_signs(f: Facts) -> bool:
    return (
        f.any_bony_tenderness
        or f.swelling_moderate_or_worse
        or f.not_bearing_weight_now
        or f.pain_7_or_more
    )


def _midfoot_only(f: Facts) -> bool:
    return f.exam.pain_in_midfoot_zone is True and f.exam.pain_in_malleolar_zone is not True


@fact
def ottawa_ankle_positive(f: Facts) -> bool:
    """An ankle point tender, or not bearing weight at both times (unless the pain is only in
    the midfoot, when the foot series is the one to take)."""
    return f.ottawa_applicable and (
        f.tender_ankle_point or (f.cannot_bear_weight_both_times and not _midfoot_only(f))
    )


@fact
def ottawa_foot_positive(f: Facts) -> bool:
    midfoot = _midfoot_only(f) or PainLocation.MIDFOOT in f.history.pain_locations
    return f.ottawa_applicable and (
        f.tender_foot_point or (f.cannot_bear_weight_both_times and midfoot)
    )


@fact
def ottawa_undecided(f: Facts) -> bool:
    return f.ottawa_applicable and not (f.ottawa_ankle_positive or f.ottawa_foot_positive)


@fact
def ottawa_negative(f: Facts) -> bool:
    """Every point recorded non-tender and four steps taken at one of the two times."""
    walked = _walks_now(f) is True or f.history.walked_four_steps_immediately is True
    return (
        f.ottawa_undecided
        and _ankle_points(f) == (False, False)
        and _foot_points(f) == (False, False)
        and walked
    )
