"""When a re-triage may move a case: never over a clinician's route, never down from an urgent
one; a clinician is asked whenever the engine now wants more, or less of an urgent route."""

from __future__ import annotations

from itertools import product

import pytest

from services.triage.route_guard import QUEUE_RANK, Route, Verdict, judge
from shared.routing import QUEUES, URGENCIES, URGENCY_RANK

ROUTES = [Route(q, u) for q, u in product(QUEUES, URGENCIES)]


def higher(one: Route, other: Route) -> bool:
    return QUEUE_RANK[one.queue] > QUEUE_RANK[other.queue] or \
        URGENCY_RANK[one.urgency] > URGENCY_RANK[other.urgency]


def test_a_case_on_no_queue_yet_takes_the_engines_route():
    assert judge(None, Route("home_care", "routine")) is Verdict.PLACE


@pytest.mark.parametrize("current", ROUTES)
def test_the_engine_never_places_over_a_clinicians_route(current):
    clinician = Route(current.queue, current.urgency, source="clinician")
    for proposed in ROUTES:
        expected = Verdict.KEEP_AND_ESCALATE if higher(proposed, clinician) else Verdict.KEEP
        assert judge(clinician, proposed) is expected, proposed


@pytest.mark.parametrize("current", [r for r in ROUTES if r.urgency in ("urgent", "emergency")])
def test_the_engine_never_lowers_an_urgent_or_emergency_route(current):
    for proposed in ROUTES:
        verdict = judge(current, proposed)
        if higher(current, proposed):
            assert verdict is Verdict.KEEP_AND_ESCALATE, proposed
        else:
            assert verdict is Verdict.PLACE, proposed


@pytest.mark.parametrize("current", [r for r in ROUTES if r.urgency in ("soon", "routine")])
def test_the_engine_moves_a_soon_or_routine_route_either_way(current):
    assert all(judge(current, proposed) is Verdict.PLACE for proposed in ROUTES)
