"""For each condition, the findings that speak for and against it, as clinicians would list them."""

from __future__ import annotations

from services.triage.engine.decision import LikelyCondition
from services.triage.engine.facts import Facts

Finding = tuple[str, str]  # (fact name, plain-language finding)

_BONY = ("any_bony_tenderness", "bony tenderness on the Ottawa points")
_OTTAWA_NEG = ("ottawa_negative", "Ottawa rules negative (sensitivity about 99%)")
_THOMPSON_NEG = ("thompson_negative", "calf squeeze test normal (LR- 0.04)")

PROFILES: dict[str, tuple[tuple[Finding, ...], tuple[Finding, ...]]] = {
    "fracture": (
        (
            ("ottawa_ankle_positive", "Ottawa ankle rule positive"),
            ("ottawa_foot_positive", "Ottawa foot rule positive"),
            _BONY,
            ("cannot_bear_weight_both_times", "could not take four steps immediately and now"),
            ("deformity_after_trauma", "visible deformity"),
            ("severe_swelling_or_bruising_after_trauma", "severe swelling or bruising"),
            ("proximal_fibula_tender_after_trauma", "proximal fibular tenderness"),
        ),
        (_OTTAWA_NEG,),
    ),
    "Achilles tendon rupture": (
        (
            ("thompson_positive", "no plantarflexion on calf squeeze"),
            ("aaos_two_of_four", "two or more AAOS criteria"),
            ("achilles_rupture_story", "pop, kicked-in-the-calf feeling or lost push-off"),
        ),
        (_THOMPSON_NEG,),
    ),
    "Achilles tendinopathy": (
        (
            (
                "achilles_tendinopathy_suspected",
                "Achilles pain or tenderness 2-6 cm above the heel",
            ),
            ("training_error", "recent training change"),
            ("eases_after_warm_up", "pain eases once warmed up"),
        ),
        (("thompson_positive", "calf squeeze abnormal: rupture instead"),),
    ),
    "lateral ankle sprain": (
        (("lateral_sprain_pattern", "inversion or twisting injury, lateral pain"), _OTTAWA_NEG),
        (_BONY,),
    ),
    "medial (deltoid) ankle sprain": (
        (("medial_sprain_pattern", "eversion injury or deltoid tenderness"), _OTTAWA_NEG),
        (_BONY,),
    ),
    "high (syndesmotic) ankle sprain": (
        (
            ("syndesmosis_specific_signs", "syndesmosis tenderness with positive squeeze test"),
            (
                "syndesmosis_sensitive_signs",
                "syndesmosis tenderness with ER test, hop or pain signs",
            ),
        ),
        (),
    ),
    "osteochondral lesion of the talus": (
        (
            ("mechanical_symptoms_after_trauma", "catching or locking after an injury"),
            ("persistent_deep_pain_after_sprain", "deep pain or swelling beyond six weeks"),
        ),
        (),
    ),
    "posterior ankle impingement": (
        (
            ("posterior_impingement_suspected", "posterior pain on pointing the toes down"),
            ("athlete", "dancer, gymnast, footballer or other athlete"),
        ),
        (("posterior_impingement_ruled_out", "negative hyperplantarflexion test (van Dijk)"),),
    ),
    "anterior ankle impingement": (
        (("anterior_impingement_suspected", "front-of-ankle pinch on dorsiflexion or squatting"),),
        (),
    ),
    "peroneal tendinopathy": (
        (("peroneal_tendinopathy_suspected", "lateral retromalleolar pain, resisted eversion"),),
        (),
    ),
    "chronic ankle instability": (
        (("chronic_instability_suspected", "recurrent giving way after repeated sprains"),),
        (),
    ),
    "tarsal tunnel syndrome": (
        (
            ("tarsal_tunnel_suspected", "burning or tingling sole, or positive Tinel/DF-eversion"),
            ("tarsal_tunnel_motor_signs", "motor weakness"),
        ),
        (),
    ),
    "stress fracture (high-risk site)": (
        (
            ("stress_fracture_high_risk_site", "focal bony tenderness at a high-risk site"),
            ("training_error", "recent increase in training load"),
        ),
        (),
    ),
    "stress fracture": (
        (
            ("stress_fracture_low_risk_site", "focal bony tenderness or hop pain with rest pain"),
            ("training_error", "recent increase in training load"),
            ("bone_stress_risk", "previous stress fracture, low bone density or periods stopped"),
            ("night_or_rest_pain_without_trauma", "pain at night or at rest"),
        ),
        (("shin_pain_diffuse_tenderness", "diffuse shin tenderness (shin splints)"),),
    ),
    "shin splints": (
        (
            ("shin_pain_diffuse_tenderness", "diffuse shin tenderness over 5 cm or more"),
            ("training_error", "recent increase in training load"),
            ("settles_with_rest", "pain settles with rest"),
        ),
        (("stress_fracture_low_risk_site", "focal tenderness: stress fracture instead"),),
    ),
    "plantar fasciitis": (
        (("plantar_fasciitis_suspected", "heel pain worst with first steps, tender tubercle"),),
        (("burning_or_numb_sole_without_trauma", "burning or numb sole: nerve entrapment"),),
    ),
    "soft-tissue strain from overuse": (
        (
            ("overuse_strain_pattern", "gradual pain, full weight-bearing, no bony tenderness"),
            ("training_error", "recent training change"),
        ),
        (_BONY,),
    ),
    "open fracture or joint wound": (
        (("open_wound_after_trauma", "wound over the injured bone or joint"),),
        (),
    ),
    "neurovascular compromise": (
        (
            ("foot_cold_pale_or_pulseless", "cold, pale or pulseless foot"),
            ("numbness_or_motor_loss_after_trauma", "numbness or weakness after the injury"),
        ),
        (),
    ),
    "acute compartment syndrome": (
        (("compartment_signs", "tense compartment or pain on passive toe stretch"),),
        (),
    ),
    "septic arthritis": (
        (
            ("hot_swollen_joint", "hot, swollen joint"),
            ("febrile", "fever or feeling unwell"),
            ("child_not_bearing_weight", "child not bearing weight"),
        ),
        (),
    ),
    "cauda equina syndrome": (
        (("cauda_equina_symptoms", "saddle numbness or bladder or bowel change"),),
        (),
    ),
    "diabetic foot infection or ischaemia": (
        (("diabetic_ulcer_with_infection_or_ischaemia", "diabetic ulcer with fever or ischaemia"),),
        (),
    ),
    "suspected active Charcot foot": (
        (("charcot_signs", "red, warm, swollen or warmer foot with diabetes or neuropathy"),),
        (),
    ),
    "septic arthritis or cellulitis": (
        (
            ("fever_after_injury", "fever or a temperature of 38 degrees or more after an injury"),
            ("open_wound_after_trauma", "wound over the injury"),
            ("swelling_present", "swelling"),
        ),
        (),
    ),
    "cellulitis, gout, septic arthritis or deep-vein thrombosis": (
        (
            ("red_warm_swollen_foot_not_diabetic", "red, warm, swollen foot without diabetes"),
            ("febrile", "fever or feeling unwell"),
        ),
        (),
    ),
    "fracture or tendon tear shown on earlier imaging": (
        (("prior_imaging_fracture_or_tear", "earlier imaging showed a fracture or tendon tear"),),
        (),
    ),
    "haemarthrosis": (
        (("anticoagulated_swelling_after_trauma", "swelling after injury on blood thinners"),),
        (),
    ),
    "infection or tumour": (
        (
            ("febrile_without_trauma", "fever without an injury"),
            ("night_or_rest_pain_without_trauma", "pain at night or at rest without an injury"),
        ),
        (),
    ),
    "nerve compression or radiculopathy": (
        (
            ("motor_deficit_without_trauma", "weakness without an injury"),
            ("radicular_symptoms", "back pain or pain shooting down the leg"),
        ),
        (),
    ),
    "peroneal tendon tear or subluxation": (
        (
            ("peroneal_subluxation", "snapping or visible peroneal subluxation"),
            ("peroneal_tendinopathy_suspected", "lateral retromalleolar pain"),
        ),
        (),
    ),
    "posterior-chain tightness": ((("posterior_chain_tight", "tight calves or hamstrings"),), ()),
    "training error (sudden load increase or poor progression)": (
        (("training_error", "sudden mileage increase or poor progression"),),
        (),
    ),
}


def describe(condition: str, facts: Facts) -> LikelyCondition:
    """The condition with the findings of this case that speak for and against it."""
    supporting, against = PROFILES.get(condition, ((), ()))
    return LikelyCondition(
        condition,
        supporting=tuple(text for name, text in supporting if facts[name]),
        against=tuple(text for name, text in against if facts[name]),
    )
