"""The `clinic triage`, `clinic rules` and `clinic schema` commands."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from clinic_cli.main import app
from services.triage.engine.ruleset import RULESET_HASH

runner = CliRunner()
CASE = {
    "history": {
        "onset": "injury",
        "walked_four_steps_immediately": False,
        "walks_four_steps_now": False,
        "pain_locations": ["outside"],
    },
    "age_years": 30,
    "days_since_onset": 1,
}


def test_triage_prints_the_decision_for_a_case_file(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE))
    result = runner.invoke(app, ["triage", str(path)])
    assert result.exit_code == 0, result.output
    decision = json.loads(result.output)
    assert (decision["queue"], decision["urgency"]) == ("imaging", "urgent")
    assert decision["ruleset_hash"] == RULESET_HASH


def test_triage_rejects_a_case_with_a_misspelt_field(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps({**CASE, "history": {"foot_cold": True}}))
    result = runner.invoke(app, ["triage", str(path)])
    assert result.exit_code == 2


def test_rules_lists_every_rule_with_its_sources():
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0
    assert "ottawa.ankle_positive" in result.output
    # Sources point into the product's own evidence files, the paper in the detail.
    assert "source: docs/clinical/ottawa-and-fractures.md#" in result.output
    assert "Stiell 1993, JAMA 269:1127" in result.output


def test_schema_exports_the_json_schema_of_the_case_input():
    result = runner.invoke(app, ["schema"])
    schema = json.loads(result.output)
    assert {"history", "exam", "age_years", "days_since_onset"} <= set(schema["properties"])
