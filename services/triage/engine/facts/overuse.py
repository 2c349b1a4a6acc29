"""Pain without an injury: impingement, tendons, nerves, bone stress, the shin, the heel."""

from __future__ import annotations

from services.triage.engine.facts.base import Facts, fact
from shared.clinical_record import Aggravator, PainLocation, Sex, ShinTenderness


def _where(f: Facts, *places: PainLocation) -> bool:
    return any(place in f.history.pain_locations for place in places)


def _worse_with(f: Facts, *aggravators: Aggravator) -> bool:
    return any(aggravator in f.history.aggravators for aggravator in aggravators)


@fact
def posterior_impingement_suspected(f: Facts) -> bool:
    """Forced plantarflexion reproduces posterior pain; untested, back-of-ankle or Achilles
    pain on pointing the toes down."""
    test = f.exam.forced_plantarflexion_reproduces_posterior_pain
    return test is True or (
        test is None
        and _where(f, PainLocation.BACK, PainLocation.ACHILLES)
        and _worse_with(f, Aggravator.POINTING_TOES_DOWN)
    )


@fact
def posterior_impingement_ruled_out(f: Facts) -> bool:
    """A negative hyperplantarflexion test rules it out (van Dijk)."""
    return f.exam.forced_plantarflexion_reproduces_posterior_pain is False


@fact
def anterior_impingement_suspected(f: Facts) -> bool:
    test = f.exam.forced_dorsiflexion_reproduces_anterior_pain
    return test is True or (
        test is None and _where(f, PainLocation.FRONT) and _worse_with(f, Aggravator.SQUATTING)
    )


@fact
def peroneal_tendinopathy_suspected(f: Facts) -> bool:
    return f.exam.peroneal_pain_on_resisted_eversion is True or (
        f.gradual and _where(f, PainLocation.OUTSIDE)
    )


@fact
def peroneal_subluxation(f: Facts) -> bool:
    return f.exam.peroneal_subluxation is True


@fact
def chronic_instability_suspected(f: Facts) -> bool:
    """Giving way after two or more sprains, or outside an acute injury."""
    sprains = f.history.previous_ankle_sprains
    return f.history.giving_way is True and (
        (sprains is not None and sprains >= 2) or not f.acute_trauma
    )


@fact
def tarsal_tunnel_suspected(f: Facts) -> bool:
    return f.no_injury_reported and (
        f.history.burning_or_tingling_in_sole is True
        or f.exam.tinel_tarsal_tunnel_positive is True
        or f.exam.dorsiflexion_eversion_test_positive is True
    )


@fact
def tarsal_tunnel_motor_signs(f: Facts) -> bool:
    return f.tarsal_tunnel_suspected and f.exam.motor_deficit is True


@fact
def shin_pain_diffuse_tenderness(f: Facts) -> bool:
    """Shin splints: tenderness spread over 5 cm or more."""
    return _where(f, PainLocation.SHIN) and f.exam.shin_tenderness is ShinTenderness.DIFFUSE


@fact
def shin_pain_tenderness_unexamined(f: Facts) -> bool:
    return (
        _where(f, PainLocation.SHIN)
        and f.no_injury_reported
        and f.exam.shin_tenderness is None
        and f.exam.anterior_tibial_cortex_tender is None
    )


@fact
def stress_fracture_high_risk_site(f: Facts) -> bool:
    """Focal bony tenderness without an injury at a site that heals poorly: anterior tibial
    cortex, navicular, fifth metatarsal base, medial malleolus, talus."""
    exam = f.exam
    return f.no_injury_reported and True in (
        exam.anterior_tibial_cortex_tender,
        exam.tender_navicular,
        exam.tender_base_of_fifth_metatarsal,
        exam.tender_medial_malleolus_posterior_edge_or_tip,
        exam.talar_dome_tender,
    )


@fact
def stress_fracture_low_risk_site(f: Facts) -> bool:
    """Focal tenderness of the shin, a metatarsal shaft, the distal or proximal fibula, a
    painful calcaneal squeeze, or hop pain with pain at rest, without an injury."""
    exam = f.exam
    return (
        f.no_injury_reported
        and not f.stress_fracture_high_risk_site
        and (
            exam.shin_tenderness is ShinTenderness.FOCAL
            or True in (
                exam.tender_metatarsal_shaft,
                exam.tender_lateral_malleolus_posterior_edge_or_tip,
                exam.tender_proximal_fibula,
                exam.calcaneal_squeeze_painful,
            )
            or (_worse_with(f, Aggravator.HOPPING) and f.history.pain_at_rest_or_night is True)
        )
    )


@fact
def stress_fracture_xray_negative(f: Facts) -> bool:
    return f.stress_fracture_low_risk_site and f.exam.xray_negative is True


@fact
def possible_bone_stress(f: Facts) -> bool:
    """Pain in the loaded shin, midfoot or heel, without an injury, that comes with impact
    or persists at rest."""
    return (
        f.no_injury_reported
        and _where(f, PainLocation.SHIN, PainLocation.MIDFOOT, PainLocation.HEEL)
        and (
            _worse_with(f, Aggravator.HOPPING, Aggravator.RUNNING)
            or f.history.pain_at_rest_or_night is True
            or f.history.pain_settles_with_rest is False
        )
    )


@fact
def bone_stress_risk(f: Facts) -> bool:
    """Patel 2011: a previous stress fracture, low bone density, or periods that stopped (the
    female athlete triad: low energy availability)."""
    history = f.history
    return (
        history.previous_stress_fracture is True
        or history.low_bone_density is True
        or (history.periods_stopped_or_irregular is True and f.case.sex is not Sex.MALE)
    )


@fact
def plantar_fasciitis_suspected(f: Facts) -> bool:
    """Heel or sole pain with the first steps, or a tender medial calcaneal tubercle; not with
    a painful calcaneal squeeze (stress fracture) or a burning sole (nerve)."""
    tubercle = f.exam.medial_calcaneal_tubercle_tender is True
    return (
        (_where(f, PainLocation.HEEL, PainLocation.SOLE) or tubercle)
        and (_worse_with(f, Aggravator.FIRST_STEPS_MORNING) or tubercle)
        and f.exam.calcaneal_squeeze_painful is not True
        and f.history.burning_or_tingling_in_sole is not True
    )


@fact
def training_error(f: Facts) -> bool:
    """A training change, or weekly load up by more than 10%, with gradual pain."""
    increase = f.history.weekly_load_increase_percent
    return f.gradual and (
        bool(f.history.training_changes) or (increase is not None and increase > 10)
    )


@fact
def posterior_chain_tight(f: Facts) -> bool:
    return f.gradual and f.history.calves_or_hamstrings_feel_tight is True


@fact
def eases_after_warm_up(f: Facts) -> bool:
    """The tendon pattern."""
    return f.history.pain_eases_after_warm_up is True


@fact
def settles_with_rest(f: Facts) -> bool:
    """The shin splints pattern."""
    return f.history.pain_settles_with_rest is True


@fact
def overuse_strain_pattern(f: Facts) -> bool:
    """A training error or tight calves, with no bony finding and no trouble bearing weight."""
    return (
        (f.training_error or f.posterior_chain_tight)
        and not f.any_bony_tenderness
        and not f.stress_fracture_low_risk_site
        and not f.stress_fracture_high_risk_site
        and not f.not_bearing_weight_now
    )
