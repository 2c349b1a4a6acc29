"""The triage use case against a real PostgreSQL: decide, store, queue, announce; exactly once."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from services.triage.service import triage_case
from shared.clock import utcnow
from shared.contracts import TriageCase
from shared.db import sync_session
from tests.integration.helpers import create_patient, submit_intake

pytestmark = pytest.mark.integration



def run_triage(engine, case_id: str, message_id: uuid.UUID | None = None,
               reason: str = "intake_submitted"):
    message = TriageCase(message_id=message_id or uuid.uuid4(), case_id=uuid.UUID(case_id),
                         reason=reason)
    with sync_session(engine) as session, session.begin():
        return triage_case(session, message, utcnow())


def rows(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def test_a_case_is_decided_stored_queued_and_announced(client, engine):
    case = submit_intake(client, create_patient(client)["id"])

    decision = run_triage(engine, case["id"])

    assert decision is not None
    [(queue, urgency, status)] = rows(
        engine, "SELECT q.queue, q.urgency, c.status FROM queue_entries q JOIN cases c "
        "ON c.id = q.case_id WHERE q.case_id = :id", id=case["id"])
    assert (queue, urgency, status) == (decision.queue, decision.urgency, "routed")
    [(task,)] = rows(engine, "SELECT task_name FROM outbox_messages WHERE payload->>'decision_id'"
                     " = :d", d=str(decision.id))
    assert task == "notify.cases.routed"


def test_the_decision_keeps_the_exact_inputs_and_rule_set_version(client, engine):
    case = submit_intake(client, create_patient(client, birth_date="1990-04-02")["id"])

    decision = run_triage(engine, case["id"])

    assert decision.inputs["history"]["walks_four_steps_now"] is False
    assert decision.inputs["age_years"] >= 36
    assert decision.ruleset_version


def test_the_same_message_delivered_twice_makes_one_decision(client, engine):
    case = submit_intake(client, create_patient(client)["id"])
    message_id = uuid.uuid4()

    first = run_triage(engine, case["id"], message_id)
    second = run_triage(engine, case["id"], message_id)

    assert first is not None and second is None
    assert rows(engine, "SELECT count(*) FROM triage_decisions")[0][0] == 1
    assert rows(engine, "SELECT count(*) FROM outbox_messages WHERE task_name = "
                "'notify.cases.routed'")[0][0] == 1


def test_re_triage_keeps_old_decisions_and_moves_the_single_queue_entry(client, clinician,
                                                                        engine):
    case = submit_intake(client, create_patient(client)["id"])
    first = run_triage(engine, case["id"])

    client.post(f"/cases/{case['id']}/exam-findings",
                json={"findings": {"bears_weight_four_steps_in_clinic": True}})
    second = run_triage(engine, case["id"])

    assert second.id != first.id
    assert rows(engine, "SELECT count(*) FROM triage_decisions WHERE case_id = :id",
                id=case["id"])[0][0] == 2
    [(decision_id,)] = rows(engine, "SELECT decision_id FROM queue_entries WHERE case_id = :id",
                            id=case["id"])
    assert decision_id == second.id
    history = client.get(f"/cases/{case['id']}", headers=clinician).json()["decision_history"]
    assert [d["id"] for d in history] == [str(second.id), str(first.id)]


def test_triage_of_an_unknown_case_is_dropped_without_writing_anything(client, engine):
    assert run_triage(engine, str(uuid.uuid4())) is None
    assert rows(engine, "SELECT count(*) FROM triage_decisions")[0][0] == 0


def test_the_queue_lists_the_case_with_counts_by_urgency(client, clinician, engine):
    case = submit_intake(client, create_patient(client)["id"])
    decision = run_triage(engine, case["id"])

    listing = client.get(f"/queues/{decision.queue}/cases", headers=clinician).json()

    assert [item["case_id"] for item in listing["items"]] == [case["id"]]
    assert listing["counts_by_urgency"][decision.urgency] == 1


def test_an_unknown_queue_name_is_422_naming_it(client, clinician):
    response = client.get("/queues/chiropractic/cases", headers=clinician)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "queue"]


def test_a_sweep_for_a_case_already_routed_makes_no_second_decision(client, engine):
    case = submit_intake(client, create_patient(client)["id"])
    run_triage(engine, case["id"])

    message = TriageCase(message_id=uuid.uuid4(), case_id=uuid.UUID(case["id"]), reason="sweep")
    with sync_session(engine) as session, session.begin():
        assert triage_case(session, message, utcnow()) is None
    assert rows(engine, "SELECT count(*) FROM triage_decisions")[0][0] == 1


def test_a_sweep_for_a_case_still_awaiting_triage_decides_it(client, engine):
    case = submit_intake(client, create_patient(client)["id"])

    message = TriageCase(message_id=uuid.uuid4(), case_id=uuid.UUID(case["id"]), reason="sweep")
    with sync_session(engine) as session, session.begin():
        assert triage_case(session, message, utcnow()) is not None


def test_a_second_copy_of_the_forms_request_after_routing_makes_no_second_decision(client,
                                                                                   engine):
    case = submit_intake(client, create_patient(client)["id"])
    run_triage(engine, case["id"])

    assert run_triage(engine, case["id"]) is None  # another message id, same first request
    assert rows(engine, "SELECT count(*) FROM triage_decisions")[0][0] == 1


def test_a_finding_recorded_again_is_read_at_its_latest_value(client, engine):
    """The one-query read aggregates every exam of the case; a later exam's value wins."""
    case = submit_intake(client, create_patient(client)["id"])
    for tender in (True, False):
        response = client.post(f"/cases/{case['id']}/exam-findings", json={"findings": {
            "tender_navicular": tender, "deformity": False}})
        assert response.status_code == 201, response.text

    decision = run_triage(engine, case["id"], reason="exam_recorded")

    assert decision.inputs["exam"]["tender_navicular"] is False
    assert decision.inputs["exam"]["deformity"] is False
