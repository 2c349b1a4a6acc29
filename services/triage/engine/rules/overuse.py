"""Pain without an injury (stage 4): impingement, tendons, nerves, bone stress, shin, heel."""

from services.triage.engine.decision import Modality, Queue, Urgency
from services.triage.engine.rules.base import Rule, Stage, cite
from services.triage.engine.rules.sources import (
    KINOSHITA_2001,
    MARTIN_2014,
    PATEL_2011,
    SEED_GUIDE,
    SEED_IMPINGEMENT,
    SEED_POSTERIOR,
    SEED_RUNNING,
    SEED_SHIN,
    SEED_STRAIN,
    SEED_TARSAL,
    VUURBERG_2018,
    at,
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
