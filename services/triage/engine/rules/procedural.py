"""Rules the engine applies after matching: the fallback route and the safety floor."""

from services.triage.engine.decision import Queue, Urgency
from services.triage.engine.rules.base import Rule, Stage
from services.triage.engine.rules.sources import REF_URGENCY, SAFETY_FLOOR_DOC, SEED_WEEK, at

FALLBACK = Rule(
    "fallback.no_specific_pattern",
    Stage.CONDITION,
    when=(),
    queue=Queue.HOME_CARE,
    condition="non-specific ankle pain",
    rationale="No red flag and no specific pattern: most aches settle with a few days of "
    "relative rest and light walking; checked again at one week.",
    sources=(at("docs/clinical/overuse.md#non-specific-ankle-pain", SEED_WEEK),),
)

SAFETY_FLOOR = Rule(
    "safety.no_home_care_without_review",
    Stage.ESCALATOR,
    when=(),
    queue=Queue.PHYSIO,
    urgency=Urgency.SOON,
    review=True,
    rationale="A safety-relevant question is unanswered or contradictory, or a rule asks for a "
    "clinician, so home care is not offered: a clinician reviews the case with the missing "
    "information listed.",
    sources=(SAFETY_FLOOR_DOC,),
)

ACUTE_SAFETY_FLOOR = Rule(
    "safety.acute_injury_unknowns_urgent_review",
    Stage.ESCALATOR,
    when=(),
    urgency=Urgency.URGENT,
    review=True,
    rationale="A safety-relevant question is unanswered after a recent injury: what is unknown "
    "may be a fracture, a tendon rupture or a threatened foot, so a clinician sees the case "
    "within a working day (24-48 hours at most), whatever the route.",
    sources=(SAFETY_FLOOR_DOC, REF_URGENCY),
)

PROCEDURAL_RULES = (FALLBACK, SAFETY_FLOOR, ACUTE_SAFETY_FLOOR)
