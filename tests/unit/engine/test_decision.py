"""The engine's fast decision assembly builds exactly what the Decision dataclass would."""

from __future__ import annotations

import random
from dataclasses import FrozenInstanceError

import pytest

from bench.cases import random_case
from services.triage.engine import Decision, evaluate
from services.triage.engine.decision import DECISION_FIELDS


def test_assembled_decisions_have_every_field_and_equal_the_dataclass_built_one():
    rng = random.Random(3)
    for _ in range(200):
        decision = evaluate(random_case(rng))
        assert tuple(vars(decision)) == DECISION_FIELDS
        assert Decision(**vars(decision)) == decision


def test_an_assembled_decision_is_frozen():
    decision = evaluate(random_case(random.Random(4)))
    with pytest.raises(FrozenInstanceError):
        decision.queue = "home_care"  # type: ignore[misc]
