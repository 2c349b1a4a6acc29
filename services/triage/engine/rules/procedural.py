"""Rules the engine applies after matching: the fallback route and the safety floor."""

from services.triage.engine.decision import Queue, Urgency
from services.triage.engine.rules.base import Rule, Stage, cite
from services.triage.engine.rules.sources import SEED_WEEK

FALLBACK = Rule(
    "fallback.no_specific_pattern",
    Stage.CONDITION,
    when=(),
    queue=Queue.HOME_CARE,
    condition="non-specific ankle pain",
    rationale="No red flag and no specific pattern: most aches settle with a few days of "
    "relative rest and light walking; checked again at one week.",
    sources=(SEED_WEEK,),
)

SAFETY_FLOOR = Rule(
    "safety.no_home_care_without_review",
    Stage.ESCALATOR,
    when=(),
    queue=Queue.PHYSIO,
    urgency=Urgency.SOON,
    review=True,
    rationale="A safety-relevant question is unanswered or contradictory, so home care is not "
    "offered: a clinician reviews the case with the missing information listed.",
    sources=(
        cite("issue 3, 'Rules that must hold'"),
        cite("reference/clinical-rules.md", "section 0"),
    ),
)

PROCEDURAL_RULES = (FALLBACK, SAFETY_FLOOR)
