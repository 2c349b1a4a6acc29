"""Achilles rupture (AAOS 2009 criteria, the calf squeeze test) and the rupture story."""

from __future__ import annotations

from services.triage.engine.facts.base import Facts, fact
from shared.clinical_record import InjuryMechanism, PainLocation

POSTERIOR = (PainLocation.ACHILLES, PainLocation.CALF, PainLocation.BACK)


def _posterior_pain(f: Facts) -> bool:
    return any(place in f.history.pain_locations for place in POSTERIOR)


@fact
def thompson_positive(f: Facts) -> bool:
    """No plantarflexion on calf squeeze."""
    return f.exam.calf_squeeze_no_plantarflexion is True


@fact
def thompson_negative(f: Facts) -> bool:
    return f.exam.calf_squeeze_no_plantarflexion is False


@fact
def aaos_two_of_four(f: Facts) -> bool:
    """Two or more of: abnormal calf squeeze, weak plantarflexion, a palpable gap, increased
    passive dorsiflexion."""
    exam = f.exam
    criteria = (
        exam.calf_squeeze_no_plantarflexion,
        exam.decreased_plantarflexion_strength,
        exam.palpable_achilles_gap,
        exam.increased_passive_dorsiflexion,
    )
    return criteria.count(True) >= 2


@fact
def achilles_exam_signs(f: Facts) -> bool:
    return f.aaos_two_of_four or f.thompson_positive


@fact
def achilles_rupture_story(f: Facts) -> bool:
    """Felt kicked in the calf; a pop with back-of-leg pain or on push-off; or lost push-off
    strength with back-of-leg pain or after an injury."""
    history = f.history
    posterior = _posterior_pain(f)
    return (
        history.felt_kicked_in_calf is True
        or (
            history.heard_pop_or_snap is True
            and (posterior or history.injury_mechanism is InjuryMechanism.PUSH_OFF)
        )
        or (history.lost_push_off_strength is True and (posterior or f.trauma))
    )


@fact
def achilles_rupture_story_not_cleared(f: Facts) -> bool:
    """The story, not cleared by a normal calf squeeze with fewer than two AAOS criteria."""
    cleared = f.thompson_negative and not f.aaos_two_of_four
    return f.achilles_rupture_story and not cleared


@fact
def achilles_rupture_suspected(f: Facts) -> bool:
    return f.achilles_exam_signs or f.achilles_rupture_story_not_cleared


@fact
def posterior_pain_after_trauma(f: Facts) -> bool:
    return f.trauma and (_posterior_pain(f) or f.achilles_rupture_story)


@fact
def achilles_tendinopathy_suspected(f: Facts) -> bool:
    """Achilles tenderness 2-6 cm above the heel, or Achilles pain without an injury, with no
    sign of a rupture."""
    return not f.achilles_rupture_suspected and (
        f.exam.achilles_tender_2_to_6_cm_above_insertion is True
        or (f.no_injury_reported and PainLocation.ACHILLES in f.history.pain_locations)
    )
