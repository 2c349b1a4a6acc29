"""Sprains after an injury (stage 4): the first-presentation route the sources give."""

from services.triage.engine.decision import Modality, Queue, Urgency
from services.triage.engine.rules.base import Rule, Stage, cite
from services.triage.engine.rules.sources import (
    BOUTIS_2013,
    ROBINSON_2003,
    SEED_GUIDE,
    SEED_RUNNING,
    SMAN_2015,
    STIELL_1993,
    VUURBERG_2018,
)

SPRAIN_RULES = (
    Rule(
        "child.low_risk_ankle_rule",
        Stage.CONDITION,
        when=("lrar_low_risk",),
        queue=Queue.HOME_CARE,
        condition="lateral ankle sprain",
        rationale="Child 3-16, injury under 3 days, tenderness and swelling only over the distal "
        "fibula or lateral ligaments: low risk, no X-ray; removable brace at home.",
        sources=(BOUTIS_2013,),
    ),
    Rule(
        "sprain.lateral_mild_ottawa_negative",
        Stage.CONDITION,
        when=("ottawa_negative", "lateral_sprain_pattern"),
        unless=("sprain_needs_rehab",),
        queue=Queue.HOME_CARE,
        condition="lateral ankle sprain",
        rationale="Ottawa-negative grade I lateral sprain (ligament, not bone, tenderness): "
        "functional treatment at home.",
        sources=(STIELL_1993, VUURBERG_2018),
    ),
    Rule(
        "sprain.moderate_or_athlete_ottawa_negative",
        Stage.CONDITION,
        when=("ottawa_negative", "lateral_sprain_pattern", "sprain_needs_rehab"),
        queue=Queue.PHYSIO,
        condition="lateral ankle sprain",
        rationale="Ottawa-negative sprain with moderate swelling or bruising, a positive anterior "
        "drawer, or in an athlete: supervised functional rehabilitation.",
        sources=(VUURBERG_2018,),
    ),
    Rule(
        "sprain.medial_ottawa_negative",
        Stage.CONDITION,
        when=("ottawa_negative", "medial_sprain_pattern"),
        queue=Queue.PHYSIO,
        condition="medial (deltoid) ankle sprain",
        rationale="Eversion injury with deltoid tenderness and a negative Ottawa rule; isolated "
        "deltoid injury is uncommon, so screen for syndesmosis injury.",
        sources=(
            cite("docs/clinical/sprains-and-syndesmosis.md#medial-deltoid-sprain", SEED_RUNNING),
        ),
    ),
    Rule(
        "syndesmosis.specific_signs",
        Stage.CONDITION,
        when=("syndesmosis_specific_signs",),
        queue=Queue.IMAGING,
        urgency=Urgency.URGENT,
        modality=Modality.XRAY,
        condition="high (syndesmotic) ankle sprain",
        rationale="Syndesmosis tenderness with a positive squeeze test (specificity 88%): X-ray "
        "for diastasis, MRI if normal. Ottawa is often negative here.",
        sources=(SMAN_2015,),
    ),
    Rule(
        "syndesmosis.sensitive_signs",
        Stage.CONDITION,
        when=("syndesmosis_sensitive_signs",),
        queue=Queue.IMAGING,
        urgency=Urgency.SOON,
        modality=Modality.XRAY,
        condition="high (syndesmotic) ankle sprain",
        rationale="Syndesmosis tenderness with a positive external-rotation test, pain out of "
        "proportion or inability to hop: X-ray, then MRI if suspicion persists.",
        sources=(SMAN_2015,),
    ),
    Rule(
        "syndesmosis.proximal_fibula_tender",
        Stage.CONDITION,
        when=("proximal_fibula_tender_after_trauma",),
        queue=Queue.IMAGING,
        urgency=Urgency.URGENT,
        modality=Modality.XRAY,
        condition="fracture",
        rationale="Proximal fibular tenderness after an ankle injury: X-ray the whole fibula "
        "(Maisonneuve fracture).",
        sources=(
            cite(
                "docs/clinical/sprains-and-syndesmosis.md#proximal-fibula-and-maisonneuve-fracture"
            ),
        ),
    ),
    Rule(
        "olt.mechanical_symptoms_after_trauma",
        Stage.CONDITION,
        when=("mechanical_symptoms_after_trauma",),
        queue=Queue.IMAGING,
        urgency=Urgency.SOON,
        modality=Modality.MRI,
        condition="osteochondral lesion of the talus",
        rationale="Catching or locking after an injury suggests an osteochondral lesion or loose "
        "body; X-rays often miss them, MRI is the test.",
        sources=(
            ROBINSON_2003,
            cite(
                "docs/clinical/sprains-and-syndesmosis.md#osteochondral-lesion-of-the-talus",
                SEED_GUIDE,
            ),
        ),
    ),
    Rule(
        "olt.persistent_deep_pain_after_sprain",
        Stage.CONDITION,
        when=("persistent_deep_pain_after_sprain",),
        queue=Queue.IMAGING,
        urgency=Urgency.SOON,
        modality=Modality.MRI,
        condition="osteochondral lesion of the talus",
        rationale="Deep pain or swelling more than six weeks after a sprain: a 'sprain that "
        "never settled' needs MRI for an osteochondral lesion.",
        sources=(ROBINSON_2003,),
    ),
)
