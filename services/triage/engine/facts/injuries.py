"""After an injury: sprains, the syndesmosis, osteochondral lesions, earlier imaging."""

from __future__ import annotations

from services.triage.engine.facts.base import Facts, fact
from services.triage.engine.facts.red_flags import MODERATE_OR_WORSE, NO_SWELLING
from shared.clinical_record import (
    Activity,
    ImagingModality,
    ImagingResult,
    InjuryMechanism,
    PainLocation,
)

SPRAIN_MECHANISMS = (
    InjuryMechanism.ROLLED_OUTWARD,
    InjuryMechanism.TWISTED,
    InjuryMechanism.LANDING,
    InjuryMechanism.FALL,
)


@fact
def lateral_sprain_pattern(f: Facts) -> bool:
    return f.trauma and (
        f.history.injury_mechanism in SPRAIN_MECHANISMS
        or f.exam.tender_atfl_only is True
        or PainLocation.OUTSIDE in f.history.pain_locations
    )


@fact
def medial_sprain_pattern(f: Facts) -> bool:
    return f.trauma and (
        f.history.injury_mechanism is InjuryMechanism.ROLLED_INWARD
        or f.exam.tender_deltoid_ligament is True
    )


@fact
def athlete(f: Facts) -> bool:
    """Any sport ticked other than "other"."""
    return any(activity is not Activity.OTHER for activity in f.history.activities)


@fact
def sprain_needs_rehab(f: Facts) -> bool:
    """Moderate or worse bruising or swelling, a positive anterior drawer, or an athlete."""
    return (
        f.history.bruising in MODERATE_OR_WORSE
        or f.exam.bruising in MODERATE_OR_WORSE
        or f.swelling_moderate_or_worse
        or f.exam.anterior_drawer_positive is True
        or f.athlete
    )


@fact
def syndesmosis_tender(f: Facts) -> bool:
    return f.trauma and f.exam.tender_syndesmosis is True


@fact
def syndesmosis_specific_signs(f: Facts) -> bool:
    return f.syndesmosis_tender and f.exam.squeeze_test_positive is True


@fact
def syndesmosis_sensitive_signs(f: Facts) -> bool:
    exam = f.exam
    return f.syndesmosis_tender and (
        exam.external_rotation_test_positive is True
        or exam.single_leg_hop_possible is False
        or exam.pain_out_of_proportion is True
    )


@fact
def proximal_fibula_tender_after_trauma(f: Facts) -> bool:
    return f.trauma and f.exam.tender_proximal_fibula is True


@fact
def mechanical_symptoms_after_trauma(f: Facts) -> bool:
    return f.trauma and f.history.catching_or_locking is True


@fact
def persistent_deep_pain_after_sprain(f: Facts) -> bool:
    """A "sprain that never settled": talar dome tenderness or swelling beyond six weeks."""
    return (
        f.trauma
        and f.beyond_six_weeks
        and (f.exam.talar_dome_tender is True or f.history.swelling not in NO_SWELLING)
    )


def _imaging_results(f: Facts) -> list[ImagingResult]:
    return [imaging.result for imaging in f.history.imaging_done]


@fact
def xray_negative_after_trauma(f: Facts) -> bool:
    """An X-ray after the injury showed no fracture (examiner's record or the patient's)."""
    normal_xray = any(
        imaging.modality is ImagingModality.XRAY and imaging.result is ImagingResult.NORMAL
        for imaging in f.history.imaging_done
    )
    return f.trauma and (f.exam.xray_negative is True or normal_xray)


@fact
def late_trauma_not_settling(f: Facts) -> bool:
    """Weeks after an injury and still swollen, not walking, in pain at rest or not better."""
    return f.late_trauma_presentation and (
        f.swelling_present
        or f.not_bearing_weight_now
        or f.history.pain_at_rest_or_night is True
        or f.not_improving
    )


@fact
def prior_imaging_fracture_or_tear(f: Facts) -> bool:
    results = _imaging_results(f)
    return ImagingResult.FRACTURE in results or ImagingResult.TENDON_TEAR in results


@fact
def prior_imaging_stress_injury(f: Facts) -> bool:
    return ImagingResult.STRESS_REACTION_OR_FRACTURE in _imaging_results(f)


@fact
def prior_imaging_result_unknown(f: Facts) -> bool:
    return ImagingResult.RESULT_NOT_KNOWN in _imaging_results(f)
