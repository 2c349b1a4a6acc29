"""Named clinical facts of a case; the rules match on these names only.

Each fact is a small documented function in the module of its clinical family, computed on
first read (``Facts``). A finding that was not answered never makes a fact true, except in the
facts named for what is unknown; the missing-information checks (missing.py) see the None and
put the case in front of a clinician instead of reading it as "no".
"""

from services.triage.engine.case import CaseInput
from services.triage.engine.facts import (  # noqa: F401  (each module registers its facts)
    achilles,
    context,
    injuries,
    ottawa,
    overuse,
    red_flags,
    timing,
    treatment,
)
from services.triage.engine.facts.base import FACTS, NO_EXAM, Facts


def derive_facts(case: CaseInput) -> Facts:
    return Facts(case)


__all__ = ["FACTS", "NO_EXAM", "Facts", "derive_facts"]
