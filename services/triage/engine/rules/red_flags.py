"""Red flags (reference section 4): they override every other route, graded as the table grades them."""

from services.triage.engine.decision import Modality, Queue, Urgency
from services.triage.engine.rules.base import Rule, Stage, cite
from services.triage.engine.rules.sources import (
    COAKLEY_2006,
    NICE_CKS_SPRAINS,
    NICE_NG19,
    SEED_BLACK_BLUE,
    SEED_RUNNING,
    at,
)

RED_FLAG_RULES = (
    Rule(
        "red_flag.open_wound",
        Stage.RED_FLAG,
        when=("open_wound_after_trauma",),
        queue=Queue.SURGICAL,
        urgency=Urgency.EMERGENCY,
        condition="open fracture or joint wound",
        rationale="A wound over an injured bone or joint may be an open fracture: antibiotics and theatre.",
        sources=(NICE_CKS_SPRAINS, cite("docs/clinical/red-flags.md#open-wound")),
    ),
    Rule(
        "red_flag.deformity_after_trauma",
        Stage.RED_FLAG,
        when=("deformity_after_trauma",),
        queue=Queue.SURGICAL,
        urgency=Urgency.EMERGENCY,
        condition="fracture",
        rationale="Visible deformity after an injury suggests a dislocation or displaced fracture.",
        sources=(
            NICE_CKS_SPRAINS,
            cite(
                "docs/clinical/red-flags.md#deformity",
                "Queensland Health orthopaedic referral criteria",
            ),
        ),
    ),
    Rule(
        "red_flag.neurovascular_compromise",
        Stage.RED_FLAG,
        when=("foot_cold_pale_or_pulseless",),
        queue=Queue.SURGICAL,
        urgency=Urgency.EMERGENCY,
        condition="neurovascular compromise",
        rationale="A cold, pale or pulseless foot means the blood supply is threatened.",
        sources=(NICE_CKS_SPRAINS, cite("docs/clinical/red-flags.md#neurovascular-compromise")),
    ),
    Rule(
        "red_flag.numbness_or_weakness_after_trauma",
        Stage.RED_FLAG,
        when=("numbness_or_motor_loss_after_trauma",),
        queue=Queue.SURGICAL,
        urgency=Urgency.EMERGENCY,
        condition="neurovascular compromise",
        rationale="Numbness or new weakness after an injury is treated as neurovascular compromise.",
        sources=(cite("docs/clinical/red-flags.md#neurovascular-compromise", SEED_RUNNING),),
    ),
    Rule(
        "red_flag.compartment_syndrome",
        Stage.RED_FLAG,
        when=("compartment_signs",),
        queue=Queue.SURGICAL,
        urgency=Urgency.EMERGENCY,
        condition="acute compartment syndrome",
        rationale="A tense compartment, pain on passive stretch of the toes, or pain out of "
        "proportion after an injury suggests compartment syndrome: fasciotomy may be needed.",
        sources=(cite("docs/clinical/red-flags.md#compartment-syndrome"),),
    ),
    Rule(
        "red_flag.septic_arthritis",
        Stage.RED_FLAG,
        when=("hot_swollen_joint",),
        queue=Queue.SURGICAL,
        urgency=Urgency.EMERGENCY,
        condition="septic arthritis",
        rationale="A hot, swollen joint is septic until proven otherwise, even without fever.",
        sources=(COAKLEY_2006,),
    ),
    Rule(
        "red_flag.fever_after_injury",
        Stage.RED_FLAG,
        when=("fever_after_injury",),
        queue=Queue.SURGICAL,
        urgency=Urgency.URGENT,
        review=True,
        condition="septic arthritis or cellulitis",
        rationale="Fever, or a temperature of 38 degrees or more, after an injury points to "
        "infection of the joint, the skin or a wound: a clinician sees the patient within a "
        "working day (now, if the joint is hot and swollen).",
        sources=(COAKLEY_2006,),
    ),
    Rule(
        "red_flag.cauda_equina",
        Stage.RED_FLAG,
        when=("cauda_equina_symptoms",),
        queue=Queue.SURGICAL,
        urgency=Urgency.EMERGENCY,
        condition="cauda equina syndrome",
        rationale="Saddle numbness or bladder or bowel change with leg symptoms is cauda equina.",
        sources=(cite("docs/clinical/red-flags.md#cauda-equina"),),
    ),
    Rule(
        "red_flag.diabetic_foot_limb_threatening",
        Stage.RED_FLAG,
        when=("diabetic_ulcer_with_infection_or_ischaemia",),
        queue=Queue.SURGICAL,
        urgency=Urgency.EMERGENCY,
        condition="diabetic foot infection or ischaemia",
        rationale="A diabetic foot ulcer with fever or ischaemia is limb-threatening: refer now.",
        sources=(NICE_NG19,),
    ),
    Rule(
        "red_flag.child_not_bearing_weight_with_fever",
        Stage.RED_FLAG,
        when=("child_not_bearing_weight", "febrile"),
        queue=Queue.SURGICAL,
        urgency=Urgency.EMERGENCY,
        condition="septic arthritis",
        rationale="A febrile child who will not bear weight may have septic arthritis or osteomyelitis.",
        sources=(
            cite(
                "docs/clinical/red-flags.md#child-not-bearing-weight",
                "RCH Melbourne CPG, the limping child",
            ),
        ),
    ),
    Rule(
        "red_flag.suspected_charcot_foot",
        Stage.RED_FLAG,
        when=("charcot_signs",),
        queue=Queue.SURGICAL,
        urgency=Urgency.URGENT,
        condition="suspected active Charcot foot",
        rationale="A red, warm, swollen foot, or one more than 2 degrees warmer than the other, "
        "in a person with diabetes or neuropathy is active Charcot until shown otherwise, even "
        "without pain or deformity: specialist foot team within one working day.",
        sources=(NICE_NG19,),
    ),
    Rule(
        "red_flag.red_warm_swollen_foot",
        Stage.RED_FLAG,
        when=("red_warm_swollen_foot_not_diabetic",),
        urgency=Urgency.URGENT,
        review=True,
        condition="cellulitis, gout, septic arthritis or deep-vein thrombosis",
        rationale="A red, warm, swollen foot or ankle without diabetes may be cellulitis, gout, a "
        "septic joint or a deep-vein thrombosis: a clinician sees it within a working day, "
        "never home care.",
        sources=(
            COAKLEY_2006,
            NICE_CKS_SPRAINS,
            cite("docs/clinical/red-flags.md#red-hot-swollen-foot-without-diabetes"),
        ),
    ),
    Rule(
        "red_flag.anticoagulated_swelling",
        Stage.RED_FLAG,
        when=("anticoagulated_swelling_after_trauma",),
        queue=Queue.SURGICAL,
        urgency=Urgency.URGENT,
        condition="haemarthrosis",
        rationale="Marked swelling after an injury in a patient on blood thinners may be haemarthrosis.",
        sources=(
            at("docs/clinical/red-flags.md#haemarthrosis-on-anticoagulants", NICE_CKS_SPRAINS),
        ),
    ),
    Rule(
        "red_flag.child_not_bearing_weight",
        Stage.RED_FLAG,
        when=("child_not_bearing_weight",),
        queue=Queue.IMAGING,
        urgency=Urgency.URGENT,
        modality=Modality.XRAY,
        condition="fracture",
        rationale="A child who will not bear weight needs imaging for occult fracture, infection "
        "or non-accidental injury.",
        sources=(
            cite(
                "docs/clinical/red-flags.md#child-not-bearing-weight",
                "RCH Melbourne CPG, the limping child",
            ),
        ),
    ),
    Rule(
        "red_flag.severe_swelling_or_bruising_after_trauma",
        Stage.RED_FLAG,
        when=("severe_swelling_or_bruising_after_trauma",),
        queue=Queue.IMAGING,
        urgency=Urgency.URGENT,
        modality=Modality.XRAY,
        condition="fracture",
        rationale="'Black and blue' after an injury means a tear: X-ray, possibly MRI, to make "
        "sure a cast is not needed and the talar dome is intact.",
        sources=(SEED_BLACK_BLUE,),
    ),
    Rule(
        "red_flag.fever_without_injury",
        Stage.RED_FLAG,
        when=("febrile_without_trauma",),
        queue=Queue.IMAGING,
        urgency=Urgency.URGENT,
        modality=Modality.MRI,
        condition="infection or tumour",
        rationale="Fever or feeling unwell with non-traumatic leg pain raises infection or tumour.",
        sources=(cite("docs/clinical/red-flags.md#night-pain-tumour-and-infection"),),
    ),
    Rule(
        "red_flag.progressive_weakness",
        Stage.RED_FLAG,
        when=("motor_deficit_without_trauma",),
        queue=Queue.IMAGING,
        urgency=Urgency.URGENT,
        modality=Modality.MRI,
        condition="nerve compression or radiculopathy",
        rationale="Weakness or foot drop without injury needs urgent assessment of the nerve.",
        sources=(cite("docs/clinical/red-flags.md#progressive-weakness"),),
    ),
    Rule(
        "red_flag.burning_or_numb_sole",
        Stage.RED_FLAG,
        when=("burning_or_numb_sole_without_trauma",),
        review=True,
        condition="tarsal tunnel syndrome",
        rationale="Gradual burning or tingling in the sole points to nerve entrapment (tarsal "
        "tunnel or S1): not an emergency, but never home care without a clinician's review.",
        sources=(
            cite("docs/clinical/red-flags.md#progressive-weakness"),
            cite(
                "docs/clinical/overuse.md#tarsal-tunnel-look-alikes", "NHS Tayside heel pain notes"
            ),
        ),
    ),
)
