"""The governance page's what-if replay (issue 20): a clinical lead asks for a replay against a
released rule set, the request crosses to the triage worker through the outbox, the worker's
task stores the report, and the page shows it, the lowered red-flag case first, in red. The
front desk may neither ask nor look."""

from __future__ import annotations

import re
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from services.triage import replay_requests
from services.triage.engine.ruleset import RELEASES, RULESET_HASH
from services.triage.replay_candidates import candidate_process
from shared.clock import utcnow
from shared.contracts import ReplayRuleSet
from tests.integration.decision_helpers import triage
from tests.integration.helpers import patient_payload
from tests.integration.test_page_access import staff_client, web  # noqa: F401 - fixture
from tests.integration.test_rules_replay import CANDIDATE, OPEN_WOUND, OVERUSE, TWIST

pytestmark = pytest.mark.integration
RELEASED = min(RELEASES)


@pytest.fixture
def released_is_the_wound_candidate(monkeypatch):
    """The released version replays as the wound-to-imaging candidate (tests/fixtures/replay),
    whose moves are known: no git worktree of an old commit in the test."""
    @contextmanager
    def standing_in(against: str):
        assert against == RELEASED
        with candidate_process(str(CANDIDATE)) as candidate:
            yield candidate

    monkeypatch.setattr(replay_requests, "candidate_process", standing_in)


def stored_cases(web, engine) -> dict[str, str]:  # noqa: F811
    desk = staff_client(web, engine, "front_desk")
    headers = {"X-CSRF-Token": desk.cookies.get("clinic_csrf")}
    cases = {}
    for name, history in (("strain", OVERUSE), ("twist", TWIST), ("wound", OPEN_WOUND)):
        patient = desk.post("/patients", json=patient_payload(),
                            headers=headers).json()["patient"]
        case = desk.post("/cases", json={"patient_id": patient["id"], "history": history},
                         headers=headers).json()
        triage(engine, case["id"], "intake_submitted")
        cases[name] = case["id"]
    web.cookies.clear()
    return cases


def replay_messages(engine) -> list[dict]:
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(text(
            "SELECT payload FROM outbox_messages WHERE task_name = :t"),
            {"t": ReplayRuleSet.task_name})]


@pytest.mark.parametrize("role", ("clinician", "admin"))
def test_a_lead_asks_for_a_replay_and_sees_the_lowered_red_flag_case_first_in_red(
        web, engine, released_is_the_wound_candidate, role):  # noqa: F811
    cases = stored_cases(web, engine)
    lead = staff_client(web, engine, role)
    asked = lead.post("/staff/governance/replays", data={
        "against": RELEASED, "csrf_token": lead.cookies.get("clinic_csrf")})
    assert asked.status_code == 303, asked.text
    replay_id = asked.headers["location"].split("shown=")[1]
    assert [m["replay_id"] for m in replay_messages(engine)] == [replay_id]
    waiting = lead.get(asked.headers["location"])
    assert 'data-status="requested"' in waiting.text

    # The triage worker's task, run in-process; a redelivered message does nothing more.
    assert replay_requests.run_requested_replay(engine, uuid.UUID(replay_id), utcnow()) == "done"
    assert replay_requests.run_requested_replay(engine, uuid.UUID(replay_id), utcnow()) is None

    page = lead.get("/staff/governance/replays").text  # the latest replay, unless chosen
    assert 'data-status="done"' in page
    red = page.index("data-safety-concerns")
    assert page.index(f'data-case="{cases["wound"]}"') > red
    assert page.index(f'data-case="{cases["wound"]}"') < page.index(
        f'data-case="{cases["strain"]}"')
    assert f'data-case="{cases["twist"]}"' not in page  # it does not move
    assert RULESET_HASH in page and "1.4.0-wound-to-imaging" in page
    assert re.search(r"3 decisions replayed \(at most \d+\), 2 would move", page)

    with engine.connect() as connection:
        audited = connection.execute(text(
            "SELECT resource_type, resource_id, entities FROM audit_events "
            "WHERE actor_role = :r AND (resource_type = 'RuleSetReplay' OR resource_id LIKE "
            "'rules-replay:%')"), {"r": role}).all()
    assert ("RuleSetReplay", replay_id) in {(a.resource_type, a.resource_id) for a in audited}
    read = {e["id"] for a in audited if a.entities for e in a.entities}
    assert read == set(cases.values())  # the worker's batches and the page's moved cases


def test_an_unknown_rule_set_is_refused_and_nothing_is_sent(web, engine):  # noqa: F811
    lead = staff_client(web, engine, "clinician")
    refused = lead.post("/staff/governance/replays", data={
        "against": "9.9.9", "csrf_token": lead.cookies.get("clinic_csrf")})
    assert refused.status_code == 422 and "No released rule set" in refused.text
    assert replay_messages(engine) == []


def test_the_front_desk_may_neither_ask_for_a_replay_nor_read_one(web, engine):  # noqa: F811
    desk = staff_client(web, engine, "front_desk")
    assert desk.get("/staff/governance/replays").status_code == 403
    refused = desk.post("/staff/governance/replays", data={
        "against": RELEASED, "csrf_token": desk.cookies.get("clinic_csrf")})
    assert refused.status_code == 403
    assert replay_messages(engine) == []
