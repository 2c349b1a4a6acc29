"""Condition-specific rules (stage 4), each the first-presentation route the sources give."""

from services.triage.engine.rules.overuse import OVERUSE_RULES
from services.triage.engine.rules.sprains import SPRAIN_RULES
from services.triage.engine.rules.whole_case import WHOLE_CASE_RULES

CONDITION_RULES = SPRAIN_RULES + OVERUSE_RULES + WHOLE_CASE_RULES
