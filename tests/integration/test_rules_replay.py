"""`clinic rules replay`: a candidate rule set run over the stored inputs of past decisions
reports exactly the cases it would move, the lowered red-flag case first, names both rule sets
by version and hash, changes no decision, and audits each batch as a read of its cases."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from clinic_cli.main import app
from services.triage.engine.ruleset import RELEASES, RULESET_HASH, RULESET_VERSION
from tests.integration.decision_helpers import triage
from tests.integration.helpers import create_patient

pytestmark = pytest.mark.integration

CANDIDATE = Path(__file__).resolve().parents[1] / "fixtures" / "replay" / "wound_to_imaging.py"
ANSWERED = {"foot_cold_pale_or_blue": False, "joint_hot_red_swollen": False,
            "numbness_or_tingling": False, "burning_or_tingling_in_sole": False,
            "visible_deformity": False, "wound_over_injury": False, "fever_or_unwell": False,
            "foot_red_warm_swollen": False, "saddle_numbness_or_bladder_bowel_change": False,
            "diabetes": False}
OVERUSE = {**ANSWERED, "onset": "gradual", "pain_locations": ["front"],
           "training_changes": ["mileage_increase"], "weekly_load_increase_percent": 100,
           "walked_four_steps_immediately": True, "walks_four_steps_now": True}
TWIST = {"onset": "injury", "injury_mechanism": "rolled_outward", "pain_locations": ["outside"],
         "walked_four_steps_immediately": False, "walks_four_steps_now": False,
         "swelling": "moderate"}
OPEN_WOUND = {**TWIST, "wound_over_injury": True}


def open_and_triage(client, engine, history: dict) -> str:
    case = client.post("/cases", json={"patient_id": create_patient(client)["id"],
                                       "history": history}).json()
    triage(engine, case["id"], "intake_submitted")
    return case["id"]


def replay(settings, *arguments: str):
    return CliRunner().invoke(app, ["rules", "replay", "--against", str(CANDIDATE),
                                    *arguments], env={"DATABASE_URL": settings.database_url})


@pytest.fixture
def stored(client, engine):
    """Two overuse strains (home care: move up), a twisted ankle (stays), then an open wound
    (surgical emergency: lowered to imaging), decided in that order."""
    return {"strains": {open_and_triage(client, engine, OVERUSE) for _ in range(2)},
            "twist": open_and_triage(client, engine, TWIST),
            "wound": open_and_triage(client, engine, OPEN_WOUND)}


def decisions(engine) -> list[tuple]:
    with engine.connect() as connection:
        return connection.execute(text(
            "SELECT id, queue, urgency, outcome FROM triage_decisions ORDER BY id")).all()


def test_a_rule_change_reports_exactly_the_cases_it_moves_the_lowered_red_flag_case_first(
        settings, engine, stored):
    before = decisions(engine)
    result = replay(settings, "--json", "--batch-size", "2")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)

    assert report["current"] == {"version": RULESET_VERSION, "hash": RULESET_HASH}
    assert report["candidate"]["version"] == "1.4.0-wound-to-imaging"
    assert re.fullmatch(r"[0-9a-f]{64}", report["candidate"]["hash"])
    assert report["candidate"]["hash"] != RULESET_HASH
    assert (report["replayed"], report["moved"], report["failed"]) == (4, 3, 0)
    moves = report["moves"]
    assert {m["case_id"] for m in moves} == stored["strains"] | {stored["wound"]}
    first = moves[0]
    assert (first["case_id"], first["safety_concern"], first["direction"]) == (
        stored["wound"], True, "down")
    assert (first["from"], first["to"]) == ("surgical · emergency", "imaging/xray · urgent")
    assert [m["safety_concern"] for m in moves[1:]] == [False, False]
    assert {(m["from"], m["to"], m["direction"]) for m in moves[1:]} == {
        ("home_care · routine", "physio · routine", "up")}
    by_route = {(r["queue"], r["urgency"]): r for r in report["by_route"]}
    assert by_route[("home_care", "routine")] == {
        "queue": "home_care", "urgency": "routine", "cases": 2, "up": 2}
    assert by_route[("surgical", "emergency")]["down"] == 1
    assert by_route[("imaging", "urgent")] == {"queue": "imaging", "urgency": "urgent",
                                               "cases": 1, "unchanged": 1}
    assert decisions(engine) == before  # read-only


def test_the_text_report_shows_the_lowered_red_flag_case_first_and_both_rule_sets(
        settings, stored):
    result = replay(settings)
    assert result.exit_code == 0, result.output
    output = result.stdout
    assert f"in force:  {RULESET_VERSION}  sha256 {RULESET_HASH}" in output
    assert "candidate: 1.4.0-wound-to-imaging  sha256 " in output
    lowered = output.index("with a red flag or an Ottawa point would be LOWERED")
    assert lowered < output.index("per queue and urgency") < output.index("sample of moved")
    assert f"case {stored['wound']}: surgical · emergency -> imaging/xray · urgent" in output


def test_each_batch_is_audited_as_one_read_naming_every_case_in_it(settings, engine, stored):
    with engine.connect() as connection:  # the trail is append-only: earlier tests' reads stay
        earlier = connection.execute(text("SELECT coalesce(max(id), 0) FROM audit_events")
                                     ).scalar_one()
    assert replay(settings, "--batch-size", "3").exit_code == 0
    with engine.connect() as connection:
        events = connection.execute(text(
            "SELECT resource_id, entities FROM audit_events WHERE resource_type = 'List' "
            "AND resource_id LIKE 'rules-replay:%' AND id > :earlier ORDER BY id"),
            {"earlier": earlier}).all()
    assert [len(e.entities) for e in events] == [3, 1]
    read = {entity["id"] for event in events for entity in event.entities}
    assert read == stored["strains"] | {stored["twist"], stored["wound"]}


def test_an_unknown_candidate_is_refused_without_reading_anything(settings, engine, stored):
    result = CliRunner().invoke(app, ["rules", "replay", "--against", "no-such-release"],
                                env={"DATABASE_URL": settings.database_url})
    assert result.exit_code == 2
    assert "no release or commit 'no-such-release'" in result.output


def test_a_released_version_is_replayed_from_its_commit_in_a_temporary_worktree(
        settings, stored):
    result = CliRunner().invoke(app, ["rules", "replay", "--against", "1.3.0", "--json"],
                                env={"DATABASE_URL": settings.database_url})
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["candidate"] == {"version": "1.3.0", "hash": RELEASES["1.3.0"][0]}
    assert report["replayed"] + report["failed"] == 4
