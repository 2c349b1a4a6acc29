"""The case page shows why: each fired rule's findings in this case, what is still unanswered,
and why the urgency is higher than the winning route's own (rule set 1.4.0)."""

from __future__ import annotations

import re

import pytest

from tests.integration.decision_helpers import triage
from tests.integration.helpers import create_patient, submit_intake

pytestmark = pytest.mark.integration


def text_of(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_the_case_page_lists_the_findings_that_fired_each_rule_and_what_is_unanswered(
        client, app_client, engine, clinician):
    # Not walking after a twist of unknown date, warning questions unanswered: the rules say
    # what they found, and the acute floor names what is unanswered.
    case = submit_intake(client, create_patient(client)["id"], foot_cold_pale_or_blue=None)
    decision = triage(engine, case["id"], "intake_submitted")
    found = {rule["rule_id"]: list(rule["findings"]) for rule in decision.outcome["rules_fired"]}

    page = text_of(app_client.get(f"/staff/cases/{case['id']}", headers=clinician).text)

    assert found["weight_bearing.cannot_bear_weight_now"] == ["unable to take four steps now"]
    assert "Found in this case: unable to take four steps now" in page
    assert "Still unanswered: Is the foot cold, pale or blue?" in page
