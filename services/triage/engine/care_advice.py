"""Plain-language care advice for the patient, chosen by route and findings.

Ice versus heat follows seed 004: ice when the ankle is swollen, warm or the tendon is inflamed;
heat only for muscle tightness, never on a swollen or warm ankle.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.triage.engine.decision import Queue, Urgency
from services.triage.engine.facts import Facts


@dataclass(frozen=True)
class Advice:
    text: str
    any_of: tuple[str, ...] = ("always",)  # facts, one of which must hold
    none_of: tuple[str, ...] = ()
    queues: tuple[Queue, ...] = tuple(Queue)


EMERGENCY_ADVICE = (
    (
        "Seek emergency care now: go to an emergency department or call emergency services. "
        "Our staff have been alerted."
    ),
    (
        "Do not walk on the leg and do not eat or drink until you have been seen, in case you "
        "need an operation."
    ),
)

_SWOLLEN = ("acute_trauma", "swelling_moderate_or_worse", "hot_swollen_joint")
_NOT_YET_DIAGNOSED = (Queue.HOME_CARE, Queue.PHYSIO)

ADVICE = (
    Advice(
        "Keep your foot pointing down and do not stretch the calf or try to walk it off; "
        "you will be seen within 24 hours.",
        ("achilles_rupture_suspected",),
    ),
    Advice(
        "You also need an X-ray of the ankle or foot: the team that sees you will arrange it "
        "at the same visit.",
        ("ottawa_ankle_positive", "ottawa_foot_positive"),
        queues=(Queue.SURGICAL,),
    ),
    Advice(
        "Offload the leg: no running or jumping until it has been imaged; use crutches if "
        "walking hurts.",
        ("stress_fracture_high_risk_site", "stress_fracture_low_risk_site"),
    ),
    Advice(
        "Relative rest: avoid what provokes the pain. Light walking, gentle cycling or "
        "strength work that does not hurt keeps you moving.",
        none_of=("achilles_rupture_suspected",),
    ),
    Advice(
        "Ice: a cold pack wrapped in a cloth for 15 minutes, 2-3 times a day, especially "
        "after activity or when the ankle is swollen or warm.",
        _SWOLLEN + ("achilles_tendinopathy_suspected", "trauma", "plantar_fasciitis_suspected"),
    ),
    Advice("Compression with an elastic bandage helps control swelling.", ("trauma",) + _SWOLLEN),
    Advice(
        "Elevate the leg above heart level when resting to drain swelling.", ("trauma",) + _SWOLLEN
    ),
    Advice(
        "Heat for tight muscles: 15-20 minutes before activity or stretching. Do not use "
        "heat on a swollen or warm ankle; use ice instead.",
        ("posterior_chain_tight", "overuse_strain_pattern", "shin_pain_diffuse_tenderness"),
        none_of=_SWOLLEN + ("trauma",),
    ),
    Advice(
        "Stretch your calves and hamstrings daily: hold 30 seconds each side, back heel flat "
        "and knee straight.",
        ("gradual", "plantar_fasciitis_suspected", "posterior_chain_tight"),
        none_of=("achilles_rupture_suspected",),
        queues=_NOT_YET_DIAGNOSED,
    ),
    Advice(
        "Supportive shoes and heel cushions; roll the arch of the foot on a ball for 1-2 "
        "minutes a day.",
        ("plantar_fasciitis_suspected",),
        queues=_NOT_YET_DIAGNOSED,
    ),
    Advice(
        "A removable ankle brace for comfort; walk as pain allows.",
        ("lrar_low_risk",),
        queues=(Queue.HOME_CARE,),
    ),
    Advice(
        "Avoid corticosteroid injections into or around the Achilles tendon.",
        ("achilles_tendinopathy_suspected",),
    ),
    Advice(
        "Return gradually: start with run-walk intervals and increase weekly volume or "
        "intensity by no more than 10%.",
        none_of=("achilles_rupture_suspected",),
        queues=_NOT_YET_DIAGNOSED,
    ),
    Advice(
        "Get help at once if the foot turns numb, cold or pale, the pain becomes severe, or "
        "you cannot put weight on it."
    ),
)


def advise(queue: Queue, urgency: Urgency, facts: Facts) -> tuple[str, ...]:
    """The advice for the route: every entry for the queue whose facts hold."""
    if urgency is Urgency.EMERGENCY:
        return EMERGENCY_ADVICE
    return tuple(
        a.text
        for a in ADVICE
        if queue in a.queues
        and any(facts[name] for name in a.any_of)
        and not any(facts[name] for name in a.none_of)
    )
