"""The machinery of facts: each fact is a small named function of one case, computed on first
read and then remembered for that case.

A fact is a plain bool. An answer that was not given (None) never makes a fact true, except in
the facts that say so in their names (``..._unknown``, ``..._open``, ``..._not_confirmed``):
those exist so the missing-information checks can ask instead of reading "unknown" as "no".
"""

from __future__ import annotations

from collections.abc import Callable

from services.triage.engine.case import CaseInput
from shared.clinical_record import ExamFindings

FactFunction = Callable[["Facts"], bool]
FACTS: dict[str, FactFunction] = {}

NO_EXAM = ExamFindings()  # a case without an exam reads every finding as unanswered


def fact(function: FactFunction) -> FactFunction:
    """Register ``function`` as the fact of its name."""
    if function.__name__ in FACTS:
        raise ValueError(f"fact {function.__name__} is defined twice")
    FACTS[function.__name__] = function
    return function


class Facts:
    """The named facts of one case: ``facts.trauma`` or ``facts["trauma"]``.

    ``history``, ``exam`` (an empty exam when none was done) and ``case`` are the case's own
    records, for the fact functions to read.
    """

    def __init__(self, case: CaseInput) -> None:
        self.case = case
        self.history = case.history
        self.exam = case.exam or NO_EXAM
        self._known: dict[str, bool] = {}

    def __getitem__(self, name: str) -> bool:
        if name not in self._known:
            try:
                function = FACTS[name]
            except KeyError:
                raise KeyError(f"no fact named {name!r}") from None
            self._known[name] = bool(function(self))
        return self._known[name]

    def __getattr__(self, name: str) -> bool:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError as missing:
            raise AttributeError(str(missing)) from None

    def as_dict(self) -> dict[str, bool]:
        return {name: self[name] for name in FACTS}
