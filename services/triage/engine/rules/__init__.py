"""The rule set, in precedence order (reference section 0)."""

from services.triage.engine.rules.achilles import ACHILLES_RULES
from services.triage.engine.rules.conditions import CONDITION_RULES
from services.triage.engine.rules.escalators import ESCALATOR_RULES
from services.triage.engine.rules.ottawa import OTTAWA_RULES
from services.triage.engine.rules.procedural import (
    ACUTE_SAFETY_FLOOR,
    FALLBACK,
    PROCEDURAL_RULES,
    SAFETY_FLOOR,
)
from services.triage.engine.rules.red_flags import RED_FLAG_RULES

MATCHED_RULES = RED_FLAG_RULES + OTTAWA_RULES + ACHILLES_RULES + CONDITION_RULES + ESCALATOR_RULES
ALL_RULES = MATCHED_RULES + PROCEDURAL_RULES

__all__ = ["ACUTE_SAFETY_FLOOR", "ALL_RULES", "FALLBACK", "MATCHED_RULES", "SAFETY_FLOOR"]
