"""Condition-specific rules (stage 4), each the first-presentation route the sources give."""

from services.triage.engine.decision import Modality, Queue, Urgency
from services.triage.engine.rules.base import Rule, Stage, cite
from services.triage.engine.rules.sources import (
    ACR_2024,
    BOUTIS_2013,
    KINOSHITA_2001,
    MARTIN_2014,
    NICE_CKS_SPRAINS,
    PATEL_2011,
    REF_STRESS,
    ROBINSON_2003,
    SEED_GUIDE,
    SEED_IMPINGEMENT,
    SEED_POSTERIOR,
    SEED_RUNNING,
    SEED_SHIN,
    SEED_STRAIN,
    SEED_TARSAL,
    SMAN_2015,
    STIELL_1993,
    VUURBERG_2018,
    at,
)

_KERNOW_FRACTURE_CLINIC = cite(
    "docs/clinical/ottawa-and-fractures.md#earlier-imaging-results",
    "Kernow referral criteria: refer urgently to fracture clinic",
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

OVERUSE_RULES = (
    Rule(
        "impingement.posterior",
        Stage.CONDITION,
        when=("posterior_impingement_suspected",),
        queue=Queue.PHYSIO,
        condition="posterior ankle impingement",
        rationale="Pain at the back of the ankle on pointing the toes down (forced plantarflexion "
        "reproduces it): activity modification and physio first.",
        sources=(
            SEED_POSTERIOR,
            at("docs/clinical/overuse.md#posterior-ankle-impingement", SEED_IMPINGEMENT),
        ),
    ),
    Rule(
        "impingement.anterior",
        Stage.CONDITION,
        when=("anterior_impingement_suspected",),
        queue=Queue.PHYSIO,
        condition="anterior ankle impingement",
        rationale="A pinch at the front of the ankle on dorsiflexion or squatting: physio first.",
        sources=(
            cite("docs/clinical/overuse.md#anterior-ankle-impingement", SEED_GUIDE),
            SEED_IMPINGEMENT,
        ),
    ),
    Rule(
        "achilles.tendinopathy",
        Stage.CONDITION,
        when=("achilles_tendinopathy_suspected",),
        queue=Queue.PHYSIO,
        condition="Achilles tendinopathy",
        rationale="Achilles pain or tenderness 2-6 cm above the heel, without signs of a rupture, "
        "is tendinopathy: progressive loading with a physio; about 12 weeks to settle. A calf "
        "squeeze test excludes a rupture if it has not been done.",
        sources=(
            cite("docs/clinical/achilles.md#achilles-tendinopathy", "Hutchinson 2013"),
            cite("docs/clinical/achilles.md#achilles-tendinopathy", SEED_RUNNING),
        ),
    ),
    Rule(
        "peroneal.tendinopathy",
        Stage.CONDITION,
        when=("peroneal_tendinopathy_suspected",),
        unless=("peroneal_subluxation",),
        queue=Queue.PHYSIO,
        condition="peroneal tendinopathy",
        rationale="Pain behind the outer ankle bone, worse on resisted eversion: physio.",
        sources=(
            cite("docs/clinical/overuse.md#peroneal-tendinopathy-and-subluxation", SEED_GUIDE),
            cite("docs/clinical/overuse.md#peroneal-tendinopathy-and-subluxation", SEED_RUNNING),
        ),
    ),
    Rule(
        "peroneal.subluxation",
        Stage.CONDITION,
        when=("peroneal_subluxation",),
        queue=Queue.IMAGING,
        modality=Modality.MRI,
        condition="peroneal tendon tear or subluxation",
        rationale="Snapping or visible subluxation of the peroneal tendons: MRI, then surgical.",
        sources=(cite("docs/clinical/overuse.md#peroneal-tendinopathy-and-subluxation"),),
    ),
    Rule(
        "instability.chronic",
        Stage.CONDITION,
        when=("chronic_instability_suspected",),
        queue=Queue.PHYSIO,
        condition="chronic ankle instability",
        rationale="Recurrent giving way after repeated sprains: neuromuscular, balance and "
        "strength rehabilitation first.",
        sources=(
            VUURBERG_2018,
            cite("docs/clinical/sprains-and-syndesmosis.md#chronic-ankle-instability", SEED_GUIDE),
        ),
    ),
    Rule(
        "tarsal_tunnel.suspected",
        Stage.CONDITION,
        when=("tarsal_tunnel_suspected",),
        queue=Queue.PHYSIO,
        condition="tarsal tunnel syndrome",
        review=True,
        rationale="Burning, tingling or numbness in the sole, or a positive Tinel or "
        "dorsiflexion-eversion test: nerve compression, conservative care first.",
        sources=(SEED_TARSAL, KINOSHITA_2001),
    ),
    Rule(
        "tarsal_tunnel.motor_signs",
        Stage.CONDITION,
        when=("tarsal_tunnel_motor_signs",),
        queue=Queue.IMAGING,
        urgency=Urgency.SOON,
        modality=Modality.MRI,
        condition="tarsal tunnel syndrome",
        rationale="Tarsal tunnel with motor weakness: MRI or ultrasound for a space-occupying "
        "lesion, with nerve conduction studies.",
        sources=(cite("docs/clinical/overuse.md#tarsal-tunnel-syndrome"),),
    ),
    Rule(
        "stress_fracture.high_risk_site",
        Stage.CONDITION,
        when=("stress_fracture_high_risk_site",),
        queue=Queue.IMAGING,
        urgency=Urgency.URGENT,
        modality=Modality.MRI,
        condition="stress fracture (high-risk site)",
        rationale="Focal bony tenderness without injury at a high-risk site (anterior tibial "
        "cortex, medial malleolus, talus, navicular, fifth metatarsal base): early MRI, offload.",
        sources=(
            PATEL_2011,
            cite(
                "docs/clinical/overuse.md#stress-fractures",
                "Sports Health 2014 review, high-risk stress fractures",
            ),
        ),
    ),
    Rule(
        "stress_fracture.low_risk_site",
        Stage.CONDITION,
        when=("stress_fracture_low_risk_site",),
        queue=Queue.IMAGING,
        urgency=Urgency.SOON,
        modality=Modality.XRAY,
        condition="stress fracture",
        rationale="Focal (under 5 cm) bony tenderness or pain on hopping with rest pain: X-ray "
        "first, offload.",
        sources=(PATEL_2011, cite("docs/clinical/overuse.md#stress-fractures", SEED_RUNNING)),
    ),
    Rule(
        "shin.diffuse_tenderness",
        Stage.CONDITION,
        when=("shin_pain_diffuse_tenderness",),
        queue=Queue.HOME_CARE,
        condition="shin splints",
        rationale="Shin pain with diffuse tenderness over 5 cm or more is shin splints, not a "
        "stress fracture: relative rest and graded return.",
        sources=(
            cite("docs/clinical/overuse.md#shin-pain-patterns", "Yates and White 2004"),
            SEED_SHIN,
            cite("docs/clinical/overuse.md#shin-pain-patterns", SEED_GUIDE),
        ),
    ),
    Rule(
        "plantar_fasciitis.suspected",
        Stage.CONDITION,
        when=("plantar_fasciitis_suspected",),
        queue=Queue.HOME_CARE,
        condition="plantar fasciitis",
        rationale="Plantar heel pain worst with the first steps after rest, or a tender medial "
        "calcaneal tubercle, is plantar fasciitis: a clinical diagnosis, home care, no imaging.",
        sources=(MARTIN_2014, cite("docs/clinical/overuse.md#plantar-fasciitis", SEED_RUNNING)),
    ),
    Rule(
        "overuse.soft_tissue_strain",
        Stage.CONDITION,
        when=("overuse_strain_pattern",),
        queue=Queue.HOME_CARE,
        condition="soft-tissue strain from overuse",
        rationale="Gradual pain after a training change or with tight calves, with no bony "
        "tenderness or stress-fracture sign recorded and no trouble bearing weight reported: "
        "relative rest and graded return at home.",
        sources=(SEED_STRAIN,),
    ),
    Rule(
        "overuse.posterior_chain_tightness",
        Stage.CONDITION,
        when=("posterior_chain_tight", "overuse_strain_pattern"),
        queue=Queue.HOME_CARE,
        condition="posterior-chain tightness",
        rationale="Tight calves and hamstrings pull on the Achilles and ankle: daily stretching, "
        "heat before activity, rolling.",
        sources=(
            cite(
                "docs/clinical/overuse.md#posterior-chain-tightness",
                "seed 004_ad83bbae4b3e43d7.txt, 'Tightness in the Posterior Chain'",
            ),
        ),
    ),
    Rule(
        "overuse.training_error",
        Stage.CONDITION,
        when=("training_error", "overuse_strain_pattern"),
        queue=Queue.HOME_CARE,
        condition="training error (sudden load increase or poor progression)",
        rationale="Mileage or intensity rose faster than the tissues adapt: scale back, then "
        "increase by no more than 10% a week.",
        sources=(
            cite(
                "docs/clinical/overuse.md#training-error",
                "seed 004_ad83bbae4b3e43d7.txt, 'Sudden Increase in Running Activity'",
            ),
            cite(
                "docs/clinical/overuse.md#training-error",
                "seed 004_ad83bbae4b3e43d7.txt, 'Improper Running Progression'",
            ),
        ),
    ),
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

CONDITION_RULES = SPRAIN_RULES + OVERUSE_RULES + WHOLE_CASE_RULES
