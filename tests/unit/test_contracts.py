"""Message contracts: ids only, versioned, and the routing vocabulary every service agrees on."""

import uuid
from typing import get_args

import pytest
from pydantic import ValidationError

from services.intake.queues.schemas import QueueName
from services.triage.engine import Modality, Queue, Urgency
from shared import routing
from shared.contracts import MESSAGE_TYPES, CaseRouted, TriageCase
from shared.routing import QUEUES, URGENCIES, URGENCY_RANK, WAIT_TARGETS


def test_engine_enums_match_the_shared_routing_vocabulary():
    assert tuple(q.value for q in Queue) == QUEUES
    # The engine speaks the one vocabulary: its enums are shared/routing.py's, not copies.
    assert (Queue, Urgency, Modality) == (routing.Queue, routing.Urgency, routing.Modality)
    assert {u.value for u in Urgency} == set(URGENCIES)
    assert get_args(QueueName) == QUEUES


def test_every_urgency_has_a_wait_target_and_rank_ordered_like_the_vocabulary():
    assert set(WAIT_TARGETS) == set(URGENCIES)
    assert sorted(URGENCIES, key=URGENCY_RANK.get, reverse=True) == list(URGENCIES)


@pytest.mark.parametrize("message_type", list(MESSAGE_TYPES.values()))
def test_messages_carry_ids_and_codes_only(message_type):
    for name in message_type.model_fields:
        assert name.endswith("_id") or name in {"version", "reason"}, name


def test_an_unknown_version_is_rejected():
    with pytest.raises(ValidationError):
        TriageCase(version=2, message_id=uuid.uuid4(), case_id=uuid.uuid4(), reason="sweep")


def test_messages_reject_extra_fields_so_nothing_else_can_ride_along():
    with pytest.raises(ValidationError):
        CaseRouted(message_id=uuid.uuid4(), case_id=uuid.uuid4(), decision_id=uuid.uuid4(),
                   patient_name="x")


def test_every_engine_decision_is_stored_in_the_shape_intake_and_notify_read():
    import json

    from bench.cases import generate
    from services.triage.engine import evaluate
    from shared.contracts import DecisionOutcome

    for case in generate(300, seed=16):
        stored = json.loads(json.dumps(evaluate(case).to_dict()))  # as the JSONB column keeps it
        read = DecisionOutcome.model_validate(stored)
        assert read.model_dump(mode="json", exclude={"override"}) == stored
