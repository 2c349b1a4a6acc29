"""Rules that read the whole case (stage 4): weight bearing at any age, bone-stress risk,
night pain, earlier imaging and radicular symptoms."""

from services.triage.engine.decision import Modality, Queue, Urgency
from services.triage.engine.rules.base import Rule, Stage, cite
from services.triage.engine.rules.sources import (
    ACR_2024,
    NICE_CKS_SPRAINS,
    PATEL_2011,
    REF_STRESS,
    at,
)

_KERNOW_FRACTURE_CLINIC = cite(
    "docs/clinical/ottawa-and-fractures.md#earlier-imaging-results",
    "Kernow referral criteria: refer urgently to fracture clinic",
)

WHOLE_CASE_RULES = (
    Rule(
        "weight_bearing.cannot_bear_weight_now",
        Stage.CONDITION,
        when=("not_bearing_weight_now",),
        urgency=Urgency.URGENT,
        review=True,
        rationale="Unable to take four steps now, at any age and with or without an injury: "
        "never home care; a clinician sees the patient within a working day.",
        sources=(
            NICE_CKS_SPRAINS,
            cite(
                "docs/clinical/red-flags.md#cannot-bear-weight-at-any-age",
                "RCH Melbourne CPG, the limping child",
            ),
        ),
    ),
    Rule(
        "stress_fracture.risk_factors",
        Stage.CONDITION,
        when=("possible_bone_stress", "bone_stress_risk"),
        queue=Queue.IMAGING,
        urgency=Urgency.SOON,
        modality=Modality.XRAY,
        condition="stress fracture",
        rationale="Bony leg or foot pain with impact or at rest, in someone with a previous "
        "stress fracture, low bone density or periods that have stopped (low energy "
        "availability): X-ray first, MRI if it is normal; offload meanwhile.",
        sources=(PATEL_2011, REF_STRESS, ACR_2024),
    ),
    Rule(
        "stress_fracture.adolescent_athlete",
        Stage.CONDITION,
        when=("possible_bone_stress", "adolescent", "athlete"),
        urgency=Urgency.SOON,
        review=True,
        condition="stress fracture",
        rationale="A young athlete with bony pain on impact or at rest: bone stress injury, "
        "apophysitis or a growth-plate injury; a clinician examines before home care.",
        sources=(PATEL_2011, REF_STRESS),
    ),
    Rule(
        "alarm.night_or_rest_pain",
        Stage.CONDITION,
        when=("night_or_rest_pain_without_trauma",),
        queue=Queue.IMAGING,
        urgency=Urgency.SOON,
        modality=Modality.XRAY,
        review=True,
        condition="infection or tumour",
        rationale="Pain at night or at rest without an injury can come from a bone stress injury, "
        "an infection or a tumour: X-ray and a clinician's review (urgent with fever).",
        sources=(cite("docs/clinical/red-flags.md#night-pain-tumour-and-infection"), PATEL_2011),
    ),
    Rule(
        "imaging.earlier_fracture_or_tear",
        Stage.CONDITION,
        when=("prior_imaging_fracture_or_tear",),
        queue=Queue.SURGICAL,
        urgency=Urgency.URGENT,
        review=True,
        condition="fracture or tendon tear shown on earlier imaging",
        rationale="Imaging already showed a fracture or a tendon tear: fracture clinic or "
        "surgical opinion within a working day.",
        sources=(_KERNOW_FRACTURE_CLINIC,),
    ),
    Rule(
        "imaging.earlier_stress_injury",
        Stage.CONDITION,
        when=("prior_imaging_stress_injury",),
        queue=Queue.SURGICAL,
        urgency=Urgency.SOON,
        condition="stress fracture",
        rationale="Imaging already showed a stress reaction or stress fracture: offload and a "
        "surgical opinion on the site and healing.",
        sources=(at("docs/clinical/ottawa-and-fractures.md#earlier-imaging-results", PATEL_2011),),
    ),
    Rule(
        "nerve.radicular_symptoms",
        Stage.CONDITION,
        when=("radicular_symptoms",),
        urgency=Urgency.SOON,
        review=True,
        condition="nerve compression or radiculopathy",
        rationale="Back pain or pain shooting down the leg with sole symptoms or weakness: the S1 "
        "root can mimic tarsal tunnel syndrome; a clinician examines the back and the nerve.",
        sources=(
            cite("docs/clinical/red-flags.md#progressive-weakness"),
            cite(
                "docs/clinical/overuse.md#tarsal-tunnel-look-alikes", "NHS Tayside heel pain notes"
            ),
        ),
    ),
)
