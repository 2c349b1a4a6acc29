"""Acute trauma (stage 2): Ottawa ankle and foot rules with their exclusions, and the child rules."""

from services.triage.engine.decision import Modality, Queue, Urgency
from services.triage.engine.rules.base import Rule, Stage, cite
from services.triage.engine.rules.sources import (
    ANDERSON_2022,
    DOWLING_2009,
    NICE_CKS_SPRAINS,
    OTTAWA_POINTS,
    STIELL_1993,
    at,
)

OTTAWA_RULES = (
    Rule(
        "ottawa.ankle_positive",
        Stage.TRAUMA,
        when=("ottawa_ankle_positive",),
        queue=Queue.IMAGING,
        urgency=Urgency.URGENT,
        modality=Modality.XRAY,
        condition="fracture",
        rationale="Bony tenderness at the posterior edge or tip of a malleolus, or unable to take "
        "four steps both straight after the injury and now: ankle X-ray (pain in the malleolar "
        "zone adds to this but its absence never cancels a tender point).",
        sources=(STIELL_1993, OTTAWA_POINTS, DOWLING_2009),
    ),
    Rule(
        "ottawa.foot_positive",
        Stage.TRAUMA,
        when=("ottawa_foot_positive",),
        queue=Queue.IMAGING,
        urgency=Urgency.URGENT,
        modality=Modality.XRAY,
        condition="fracture",
        rationale="Bony tenderness at the base of the fifth metatarsal or the navicular, or "
        "unable to take four steps both straight after the injury and now with midfoot pain: "
        "foot X-ray.",
        sources=(STIELL_1993, OTTAWA_POINTS, DOWLING_2009),
    ),
    Rule(
        "ottawa.excluded_with_significant_signs",
        Stage.TRAUMA,
        when=("ottawa_excluded", "significant_trauma_signs"),
        queue=Queue.IMAGING,
        urgency=Urgency.URGENT,
        modality=Modality.XRAY,
        condition="fracture",
        review=True,
        rationale="The Ottawa rules were not validated with intoxication, head injury, multiple "
        "painful injuries, reduced sensation, pregnancy or a high-energy injury: X-ray on "
        "clinical judgement.",
        sources=(
            STIELL_1993,
            cite(
                "docs/clinical/ottawa-and-fractures.md#exclusions",
                "mypcr.ca summary of the Stiell guideline",
            ),
        ),
    ),
    Rule(
        "ottawa.excluded_needs_judgement",
        Stage.TRAUMA,
        when=("ottawa_excluded",),
        unless=("significant_trauma_signs",),
        review=True,
        rationale="An Ottawa exclusion applies, so a negative rule cannot clear a fracture.",
        sources=(at("docs/clinical/ottawa-and-fractures.md#exclusions", STIELL_1993),),
    ),
    Rule(
        "ottawa.timing_unknown_with_significant_signs",
        Stage.TRAUMA,
        when=("trauma", "duration_unknown", "significant_trauma_signs"),
        queue=Queue.IMAGING,
        urgency=Urgency.URGENT,
        modality=Modality.XRAY,
        condition="fracture",
        review=True,
        rationale="An injury with significant signs (not bearing weight, bony tenderness, "
        "marked swelling or severe pain) whose date is unknown: the Ottawa rules cannot be "
        "applied without knowing it was within 10 days, so X-ray on clinical judgement and "
        "ask when it happened.",
        sources=(
            cite(
                "docs/clinical/ottawa-and-fractures.md#unknown-injury-date",
                "Ottawa rules not applicable with significant pain",
            ),
            STIELL_1993,
        ),
    ),
    Rule(
        "ottawa.late_presentation",
        Stage.TRAUMA,
        when=("late_trauma_presentation", "significant_trauma_signs"),
        queue=Queue.IMAGING,
        urgency=Urgency.SOON,
        modality=Modality.XRAY,
        condition="fracture",
        review=True,
        rationale="More than 10 days after the injury the Ottawa rules miss fractures (15 of 19 "
        "in late presenters were Ottawa-negative): X-ray on clinical judgement.",
        sources=(ANDERSON_2022,),
    ),
    Rule(
        "ottawa.late_presentation_needs_judgement",
        Stage.TRAUMA,
        when=("late_trauma_presentation",),
        unless=("significant_trauma_signs",),
        review=True,
        rationale="More than 10 days after the injury a negative Ottawa rule does not exclude "
        "a fracture; a clinician decides on X-ray.",
        sources=(ANDERSON_2022,),
    ),
    Rule(
        "trauma.fracture_signs_outside_ottawa_window",
        Stage.TRAUMA,
        when=("fracture_sign_outside_ottawa_window",),
        unless=("late_trauma_presentation",),
        queue=Queue.IMAGING,
        urgency=Urgency.URGENT,
        modality=Modality.XRAY,
        condition="fracture",
        review=True,
        rationale="A tender bony point or not bearing weight where the Ottawa rules cannot be "
        "used (a child under about five, unknown age or date of injury, or an exclusion): the "
        "finding still counts, so X-ray and a clinician's review within a working day.",
        sources=(
            STIELL_1993,
            DOWLING_2009,
            cite(
                "docs/clinical/ottawa-and-fractures.md#late-presentation",
                "Ottawa rules not applicable: fracture signs still count",
            ),
        ),
    ),
    Rule(
        "trauma.late_fracture_signs",
        Stage.TRAUMA,
        when=("fracture_sign_outside_ottawa_window", "late_trauma_presentation"),
        queue=Queue.IMAGING,
        urgency=Urgency.SOON,
        modality=Modality.XRAY,
        condition="fracture",
        review=True,
        rationale="A tender bony point or not bearing weight more than 10 days after an injury: "
        "late presenters' fractures are mostly Ottawa-negative, so the finding means an X-ray.",
        sources=(ANDERSON_2022,),
    ),
    Rule(
        "trauma.late_not_bearing_weight",
        Stage.TRAUMA,
        when=("late_trauma_presentation", "not_bearing_weight_now"),
        queue=Queue.IMAGING,
        urgency=Urgency.URGENT,
        modality=Modality.XRAY,
        condition="fracture",
        review=True,
        rationale="Still unable to take four steps more than 10 days after an injury: X-ray and a "
        "clinician within a working day.",
        sources=(ANDERSON_2022, NICE_CKS_SPRAINS),
    ),
    Rule(
        "trauma.late_not_settling",
        Stage.TRAUMA,
        when=("late_trauma_not_settling",),
        unless=("xray_negative_after_trauma",),
        queue=Queue.IMAGING,
        urgency=Urgency.SOON,
        modality=Modality.XRAY,
        condition="fracture",
        review=True,
        rationale="Weeks after an injury and still swollen, not walking, in pain at rest or not "
        "getting better: X-ray soon (radiographs come first; MRI once they are normal), since "
        "late presenters' fractures are mostly Ottawa-negative.",
        sources=(
            ANDERSON_2022,
            cite(
                "docs/clinical/timelines-and-escalation.md#late-presenters-not-improving",
                "lateral sprain timeline",
            ),
        ),
    ),
    Rule(
        "trauma.high_energy_mechanism",
        Stage.TRAUMA,
        when=("high_energy_injury",),
        queue=Queue.IMAGING,
        urgency=Urgency.URGENT,
        modality=Modality.XRAY,
        condition="fracture",
        review=True,
        rationale="A high-energy injury (road traffic collision, fall from height, crush) is "
        "outside the population the Ottawa rules were validated in: X-ray on clinical judgement.",
        sources=(
            at("docs/clinical/ottawa-and-fractures.md#high-energy-mechanism", STIELL_1993),
            cite("docs/clinical/ottawa-and-fractures.md#exclusions"),
        ),
    ),
    Rule(
        "child.under_five_trauma",
        Stage.TRAUMA,
        when=("under_5_trauma",),
        review=True,
        rationale="Neither the Ottawa nor the Low Risk Ankle Rule is validated under about five "
        "years: a clinician decides, thinking of toddler's fracture and non-accidental injury.",
        sources=(
            DOWLING_2009,
            cite(
                "docs/clinical/ottawa-and-fractures.md#children-under-five",
                "children under about 5 years",
            ),
        ),
    ),
)
