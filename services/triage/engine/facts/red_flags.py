"""Findings that point to danger: infection, a threatened limb or nerve, a wound or deformity."""

from __future__ import annotations

from services.triage.engine.facts.base import Facts, fact
from shared.clinical_record import Severity

FEVER_CELSIUS = 38.0
# NICE NG19: a foot more than 2 degrees warmer than the other supports active Charcot.
CHARCOT_TEMPERATURE_DIFFERENCE = 2.0
MODERATE_OR_WORSE = (Severity.MODERATE, Severity.SEVERE)
NO_SWELLING = (None, Severity.NONE)


@fact
def febrile(f: Facts) -> bool:
    """Fever or feeling unwell, or a measured temperature of 38 degrees or more."""
    temperature = f.exam.temperature_celsius
    return f.history.fever_or_unwell is True or (
        temperature is not None and temperature >= FEVER_CELSIUS
    )


@fact
def fever_after_injury(f: Facts) -> bool:
    """Infection of a joint, the skin or a wound until shown otherwise."""
    return f.trauma and f.febrile


@fact
def febrile_without_trauma(f: Facts) -> bool:
    """Fever without a reported injury: infection or tumour."""
    return f.febrile and f.no_injury_reported


@fact
def open_wound_after_trauma(f: Facts) -> bool:
    return (f.trauma and f.history.wound_over_injury is True) or (
        f.exam.open_wound_over_fracture_or_joint is True
    )


@fact
def deformity_after_trauma(f: Facts) -> bool:
    return f.trauma and (f.history.visible_deformity is True or f.exam.deformity is True)


@fact
def foot_cold_pale_or_pulseless(f: Facts) -> bool:
    return (
        f.history.foot_cold_pale_or_blue is True
        or f.exam.foot_cold_or_pale is True
        or f.exam.pulses_absent is True
    )


@fact
def numbness_or_motor_loss_after_trauma(f: Facts) -> bool:
    return f.trauma and (f.history.numbness_or_tingling is True or f.exam.motor_deficit is True)


@fact
def compartment_signs(f: Facts) -> bool:
    """A tense compartment, pain on passive toe stretch, or (after an injury, where it is the
    earliest sign) pain out of proportion."""
    return (
        f.exam.tense_compartment is True
        or f.exam.pain_on_passive_toe_stretch is True
        or (f.trauma and f.exam.pain_out_of_proportion is True)
    )


@fact
def hot_swollen_joint(f: Facts) -> bool:
    return f.history.joint_hot_red_swollen is True or f.exam.joint_hot_swollen_restricted is True


@fact
def cauda_equina_symptoms(f: Facts) -> bool:
    return f.history.saddle_numbness_or_bladder_bowel_change is True


@fact
def diabetic(f: Facts) -> bool:
    return f.history.diabetes is True


@fact
def diabetic_ulcer_with_infection_or_ischaemia(f: Facts) -> bool:
    return (
        f.diabetic
        and f.history.foot_ulcer is True
        and (f.febrile or f.foot_cold_pale_or_pulseless)
    )


@fact
def red_warm_foot_reported(f: Facts) -> bool:
    return (
        f.history.foot_red_warm_swollen is True
        or f.exam.foot_red_warm_swollen_skin_intact is True
    )


@fact
def charcot_signs(f: Facts) -> bool:
    """A red, warm, swollen foot, or one over 2 degrees warmer than the other, with diabetes or
    neuropathy: NICE NG19 looks for Charcot wherever feeling in the foot is lost."""
    warmer = f.exam.skin_temperature_difference_celsius
    at_risk = f.diabetic or f.history.peripheral_neuropathy is True
    return at_risk and (
        f.red_warm_foot_reported
        or (warmer is not None and warmer > CHARCOT_TEMPERATURE_DIFFERENCE)
    )


@fact
def red_warm_swollen_foot_not_diabetic(f: Facts) -> bool:
    """Without diabetes or neuropathy: cellulitis, gout, a septic joint or a deep-vein
    thrombosis until a clinician has seen it."""
    return f.red_warm_foot_reported and not f.charcot_signs and not f.diabetic


@fact
def swelling_present(f: Facts) -> bool:
    return f.history.swelling not in NO_SWELLING or f.exam.swelling not in NO_SWELLING


@fact
def swelling_severity_unknown(f: Facts) -> bool:
    """Swollen, but nobody has said how much."""
    unknown = Severity.PRESENT_SEVERITY_UNKNOWN
    return f.history.swelling is unknown and f.exam.swelling in (None, unknown)


@fact
def swelling_moderate_or_worse(f: Facts) -> bool:
    return f.history.swelling in MODERATE_OR_WORSE or f.exam.swelling in MODERATE_OR_WORSE


@fact
def anticoagulated_swelling_after_trauma(f: Facts) -> bool:
    return f.trauma and f.history.takes_blood_thinners is True and f.swelling_moderate_or_worse


@fact
def severe_swelling_or_bruising_after_trauma(f: Facts) -> bool:
    severe = Severity.SEVERE
    return f.trauma and severe in (
        f.history.swelling,
        f.exam.swelling,
        f.history.bruising,
        f.exam.bruising,
    )


@fact
def motor_deficit_without_trauma(f: Facts) -> bool:
    return f.no_injury_reported and f.exam.motor_deficit is True


@fact
def burning_or_numb_sole_without_trauma(f: Facts) -> bool:
    return f.no_injury_reported and (
        f.history.burning_or_tingling_in_sole is True or f.history.numbness_or_tingling is True
    )


@fact
def radicular_symptoms(f: Facts) -> bool:
    """Back pain or pain down the leg with sole symptoms or weakness: the S1 root, not the
    tarsal tunnel, may be the cause."""
    return f.history.back_pain_or_radiating_leg_pain is True and (
        f.burning_or_numb_sole_without_trauma
        or f.exam.motor_deficit is True
        or f.history.numbness_or_tingling is True
    )


@fact
def night_or_rest_pain_without_trauma(f: Facts) -> bool:
    return f.no_injury_reported and f.history.pain_at_rest_or_night is True
