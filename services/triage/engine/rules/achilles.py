"""Suspected Achilles rupture: AAOS two-of-four or a positive calf squeeze; or the story alone.

On examination (two or more AAOS criteria, or a positive calf squeeze) a suspected rupture is
one of the reference's red flags (section 4: "Suspected tendon rupture (Achilles) ... SURGICAL -
URGENT"), so it is ranked with them and outranks a positive Ottawa rule; the X-ray that rule
calls for stays in the decision (also indicated, care advice, follow-up). A rupture story not
yet examined or cleared keeps the reference's stage 3 (section 0), after acute trauma.
"""

from services.triage.engine.decision import Queue, Urgency
from services.triage.engine.rules.base import Rule, Stage, cite
from services.triage.engine.rules.sources import AAOS_2009, MAFFULLI_1998, REF_RED_FLAGS

_KERNOW = cite(
    "docs/clinical/achilles.md#achilles-tendon-rupture",
    "Kernow referral criteria: refer urgently to fracture clinic",
)

ACHILLES_RULES = (
    Rule(
        "achilles.rupture_on_exam",
        Stage.RED_FLAG,
        when=("achilles_exam_signs",),
        queue=Queue.SURGICAL,
        urgency=Urgency.URGENT,
        condition="Achilles tendon rupture",
        rationale="Two or more AAOS criteria, or no plantarflexion on calf squeeze: suspected "
        "rupture, a red flag that outranks the Ottawa rules. Walking or active pointing of the "
        "foot does not exclude it. If an Ottawa rule is also positive, the ankle or foot X-ray "
        "is still needed: do it at the same urgent visit (listed under also indicated).",
        sources=(AAOS_2009, MAFFULLI_1998, _KERNOW, REF_RED_FLAGS),
    ),
    Rule(
        "achilles.rupture_story",
        Stage.RUPTURE,
        when=("achilles_rupture_story_not_cleared",),
        queue=Queue.SURGICAL,
        urgency=Urgency.URGENT,
        condition="Achilles tendon rupture",
        rationale="A pop, a kick-in-the-calf feeling or lost push-off, not cleared by a normal "
        "calf squeeze test: up to a quarter of ruptures are missed at first presentation.",
        sources=(
            AAOS_2009,
            cite("docs/clinical/achilles.md#rupture-story-without-an-examination", "BJGP 2015"),
        ),
    ),
)
