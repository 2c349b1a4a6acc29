"""Suspected Achilles rupture (stage 3): AAOS two-of-four, or a positive calf squeeze alone."""

from services.triage.engine.decision import Queue, Urgency
from services.triage.engine.rules.base import Rule, Stage, cite
from services.triage.engine.rules.sources import AAOS_2009, MAFFULLI_1998, REF

_R = Stage.RUPTURE
_KERNOW = cite("Kernow referral criteria", "refer urgently to fracture clinic")

ACHILLES_RULES = (
    Rule(
        "achilles.rupture_on_exam",
        _R,
        when=("achilles_exam_signs",),
        queue=Queue.SURGICAL,
        urgency=Urgency.URGENT,
        condition="Achilles tendon rupture",
        rationale="Two or more AAOS criteria, or no plantarflexion on calf squeeze: suspected "
        "rupture. Walking or active pointing of the foot does not exclude it; Ottawa is irrelevant.",
        sources=(AAOS_2009, MAFFULLI_1998, _KERNOW),
    ),
    Rule(
        "achilles.rupture_story",
        _R,
        when=("achilles_rupture_story_not_cleared",),
        queue=Queue.SURGICAL,
        urgency=Urgency.URGENT,
        condition="Achilles tendon rupture",
        rationale="A pop, a kick-in-the-calf feeling or lost push-off, not cleared by a normal "
        "calf squeeze test: up to a quarter of ruptures are missed at first presentation.",
        sources=(AAOS_2009, cite(REF, "section 2, pitfalls"), cite("BJGP 2015")),
    ),
)
