"""Time and failed-treatment escalators (stage 5, reference section 5 and the seeds' timelines)."""

from services.triage.engine.decision import Modality, Queue, Urgency
from services.triage.engine.rules.base import Rule, Stage, cite
from services.triage.engine.rules.sources import (
    ACR_2024,
    MARTIN_2014,
    PATEL_2011,
    REF_TIMELINES,
    ROBINSON_2003,
    SEED_BLACK_BLUE,
    SEED_IMPINGEMENT,
    SEED_POSTERIOR,
    SEED_THREE_WEEKS,
    SEED_WEEK,
    ZWIERS_2018,
)

_GENERIC_3_TO_6 = cite(
    "docs/clinical/timelines-and-escalation.md#failed-conservative-care",
    "generic rule: failed conservative care 3-6 months",
)

GENERIC_ESCALATORS = (
    Rule(
        "escalate.no_better_after_week_of_rest",
        Stage.ESCALATOR,
        when=("no_better_after_week_of_rest",),
        queue=Queue.PHYSIO,
        urgency=Urgency.SOON,
        rationale="Pain persisting beyond a week despite rest needs a professional assessment.",
        sources=(
            SEED_WEEK,
            cite(
                "docs/clinical/timelines-and-escalation.md#no-better-after-a-week",
                "seed 002_993e68b0d89a85dd.txt, 'Diagnosis of Ankle Injuries'",
            ),
        ),
    ),
    Rule(
        "escalate.beyond_three_weeks",
        Stage.ESCALATOR,
        when=("beyond_three_weeks",),
        queue=Queue.PHYSIO,
        rationale="Pain lasting longer than three weeks is unlikely to go away on its own.",
        sources=(SEED_THREE_WEEKS,),
    ),
    Rule(
        "escalate.worse_at_follow_up",
        Stage.ESCALATOR,
        when=("followup_worse",),
        queue=Queue.PHYSIO,
        urgency=Urgency.SOON,
        review=True,
        rationale="Getting worse at a check-in instead of better: reassess, the route may be wrong.",
        sources=(
            SEED_THREE_WEEKS,
            cite("docs/clinical/timelines-and-escalation.md#worse-at-follow-up"),
        ),
    ),
)

TRAUMA_ESCALATORS = (
    Rule(
        "escalate.sprain_not_settling_after_six_weeks",
        Stage.ESCALATOR,
        when=("trauma", "beyond_six_weeks", "not_improving"),
        queue=Queue.IMAGING,
        urgency=Urgency.SOON,
        modality=Modality.MRI,
        condition="osteochondral lesion of the talus",
        rationale="A sprain not settling after 6 weeks to 3 months needs MRI for an associated "
        "injury (osteochondral lesion, syndesmosis, occult fracture, peroneal tear).",
        sources=(
            cite(
                "docs/clinical/timelines-and-escalation.md#sprain-not-settling",
                "Mansour 2011; Dalal 2020",
            ),
            ROBINSON_2003,
        ),
    ),
    Rule(
        "escalate.xray_negative_pain_persists",
        Stage.ESCALATOR,
        when=("xray_negative_after_trauma", "beyond_three_weeks", "not_improving"),
        queue=Queue.IMAGING,
        urgency=Urgency.SOON,
        modality=Modality.MRI,
        condition="osteochondral lesion of the talus",
        rationale="X-ray negative but pain persisting after trauma: MRI for an occult fracture or "
        "osteochondral lesion; X-rays often miss them.",
        sources=(
            cite(
                "docs/clinical/timelines-and-escalation.md#x-ray-negative-but-pain-persists",
                "when MRI is indicated after a sprain",
            ),
            SEED_BLACK_BLUE,
        ),
    ),
    Rule(
        "escalate.sprain_no_improvement_twelve_weeks",
        Stage.ESCALATOR,
        when=("trauma", "beyond_twelve_weeks", "no_real_improvement"),
        queue=Queue.SURGICAL,
        condition="lateral ankle sprain",
        rationale="No improvement 12 weeks after an inversion injury: foot and ankle service.",
        sources=(
            cite("docs/clinical/timelines-and-escalation.md#sprain-not-settling", "NHS Tayside"),
        ),
    ),
    Rule(
        "escalate.stress_fracture_xray_negative",
        Stage.ESCALATOR,
        when=("stress_fracture_xray_negative",),
        queue=Queue.IMAGING,
        urgency=Urgency.SOON,
        modality=Modality.MRI,
        condition="stress fracture",
        rationale="Early X-ray sensitivity is as low as 10%: with a negative film, MRI (or repeat "
        "X-ray at 2-3 weeks).",
        sources=(PATEL_2011, ACR_2024),
    ),
)

FAILED_CARE_ESCALATORS = (
    Rule(
        "escalate.posterior_impingement_failed_care",
        Stage.ESCALATOR,
        when=("posterior_impingement_suspected", "failed_conservative_12_weeks"),
        queue=Queue.SURGICAL,
        condition="posterior ankle impingement",
        rationale="Posterior impingement (os trigonum, Stieda process) still symptomatic after "
        "about 3 months of conservative care: endoscopic excision.",
        sources=(SEED_POSTERIOR, ZWIERS_2018, REF_TIMELINES),
    ),
    Rule(
        "escalate.anterior_impingement_failed_care",
        Stage.ESCALATOR,
        when=("anterior_impingement_suspected", "failed_conservative_12_weeks"),
        queue=Queue.SURGICAL,
        condition="anterior ankle impingement",
        rationale="Bony anterior impingement that failed 3-6 months of conservative care: "
        "arthroscopic debridement.",
        sources=(SEED_IMPINGEMENT, REF_TIMELINES),
    ),
    Rule(
        "escalate.achilles_tendinopathy_failed_six_months",
        Stage.ESCALATOR,
        when=("achilles_tendinopathy_suspected", "failed_6_months_including_physio"),
        queue=Queue.SURGICAL,
        condition="Achilles tendinopathy",
        rationale="Achilles tendinopathy after 6 months of failed conservative care including "
        "physiotherapy: surgical opinion.",
        sources=(
            cite(
                "docs/clinical/achilles.md#achilles-tendinopathy",
                "Kernow / NICE CKS Achilles tendinopathy",
            ),
        ),
    ),
    Rule(
        "escalate.plantar_fasciitis_six_weeks",
        Stage.ESCALATOR,
        when=("plantar_fasciitis_suspected", "beyond_six_weeks", "not_improving"),
        queue=Queue.PHYSIO,
        condition="plantar fasciitis",
        rationale="Plantar fasciitis not improving at 6-12 weeks: physio or podiatry, orthoses.",
        sources=(MARTIN_2014, REF_TIMELINES),
    ),
    Rule(
        "escalate.plantar_fasciitis_failed_three_months",
        Stage.ESCALATOR,
        when=("plantar_fasciitis_suspected", "failed_conservative_12_weeks"),
        queue=Queue.SURGICAL,
        condition="plantar fasciitis",
        rationale="Three months of failed non-operative care: foot and ankle service (ESWT, "
        "injection, gastrocnemius recession).",
        sources=(
            cite(
                "docs/clinical/timelines-and-escalation.md#failed-conservative-care",
                "NHS Tayside; NHS Lothian",
            ),
        ),
    ),
    Rule(
        "escalate.chronic_instability_failed_rehab",
        Stage.ESCALATOR,
        when=("chronic_instability_suspected", "failed_conservative_12_weeks"),
        queue=Queue.SURGICAL,
        condition="chronic ankle instability",
        rationale="Instability despite structured rehabilitation: ligament repair "
        "(Brostrom-Gould) is considered.",
        sources=(
            cite("docs/clinical/sprains-and-syndesmosis.md#chronic-ankle-instability"),
            cite(
                "docs/clinical/timelines-and-escalation.md#failed-conservative-care",
                "Chan 2011, Bull NYU Hosp Jt Dis",
            ),
            _GENERIC_3_TO_6,
        ),
    ),
    Rule(
        "escalate.tarsal_tunnel_persistent",
        Stage.ESCALATOR,
        when=("tarsal_tunnel_suspected", "beyond_twelve_weeks"),
        queue=Queue.IMAGING,
        urgency=Urgency.SOON,
        modality=Modality.MRI,
        condition="tarsal tunnel syndrome",
        rationale="Tarsal tunnel symptoms persisting about 3 months: MRI or ultrasound and nerve "
        "conduction studies.",
        sources=(
            cite(
                "docs/clinical/timelines-and-escalation.md#failed-conservative-care",
                "Ahmad 2012 review",
            ),
        ),
    ),
    Rule(
        "escalate.tarsal_tunnel_failed_care",
        Stage.ESCALATOR,
        when=("tarsal_tunnel_suspected", "failed_conservative_24_weeks"),
        queue=Queue.SURGICAL,
        condition="tarsal tunnel syndrome",
        rationale="Positive tests after about 6 months of failed conservative care: decompression.",
        sources=(REF_TIMELINES,),
    ),
    Rule(
        "escalate.peroneal_failed_three_months",
        Stage.ESCALATOR,
        when=("peroneal_tendinopathy_suspected", "failed_conservative_12_weeks"),
        queue=Queue.IMAGING,
        modality=Modality.MRI,
        condition="peroneal tendon tear or subluxation",
        rationale="Peroneal pain failing about 3 months of care: MRI for a tear, then surgical.",
        sources=(cite("docs/clinical/overuse.md#peroneal-tendinopathy-and-subluxation"),),
    ),
    Rule(
        "escalate.osteochondral_lesion_failed_care",
        Stage.ESCALATOR,
        when=("mechanical_symptoms_after_trauma", "failed_conservative_12_weeks"),
        queue=Queue.SURGICAL,
        condition="osteochondral lesion of the talus",
        rationale="Mechanical symptoms after 3-6 months of conservative care: surgical opinion.",
        sources=(ROBINSON_2003, REF_TIMELINES),
    ),
)

ESCALATOR_RULES = GENERIC_ESCALATORS + TRAUMA_ESCALATORS + FAILED_CARE_ESCALATORS
