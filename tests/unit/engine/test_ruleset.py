"""Rule-set integrity: names resolve, the version is pinned to the content hash."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import TypeAdapter

from services.triage.engine import CaseInput, evaluate
from services.triage.engine.facts import derive_facts
from services.triage.engine.findings import PROFILES
from services.triage.engine.rules import ALL_RULES
from services.triage.engine.ruleset import RELEASES, RULESET_HASH, RULESET_VERSION
from tests.unit.engine.builders import case

# Changing any rule, check or table changes the hash: bump RULESET_VERSION and this pair.
PINNED = ("1.4.0", "affaefe3935e329dd996fdd68047ea483bafdf533ab78d7b0b2435c49bc705f9")


def _fact_names() -> set[str]:
    # Every declared fact is set for a case: reading an unset slot would raise.
    return set(derive_facts(case()).as_dict())


def test_every_fact_a_rule_names_exists():
    names = _fact_names()
    for rule in ALL_RULES:
        assert set(rule.when + rule.unless) <= names, rule.id


def test_every_condition_a_rule_names_has_a_findings_profile():
    named = {rule.condition for rule in ALL_RULES if rule.condition}
    assert named - {"non-specific ankle pain"} <= set(PROFILES)


def test_ruleset_hash_is_a_sha256_hex_digest():
    assert re.fullmatch("[0-9a-f]{64}", RULESET_HASH)
    assert RULESET_VERSION == PINNED[0]


def test_the_version_is_bumped_whenever_the_rule_content_changes():
    # A failure here means rules changed without a new version: bump both halves of PINNED.
    assert (RULESET_VERSION, RULESET_HASH) == PINNED


GOLDEN_1_3_0 = Path(__file__).parent / "golden" / "decisions-1.3.0.json"


def test_decisions_made_under_1_3_0_name_a_released_rule_set_and_their_inputs_still_run():
    """Stored 1.3.0 decisions (made by the 1.3.0 engine, kept verbatim) name the hash the
    release table maps to the commit that reproduces them, and today's engine still reads
    their stored inputs, so a re-triage of an old case never fails on its record."""
    decisions = json.loads(GOLDEN_1_3_0.read_text())
    assert decisions
    for stored in decisions:
        outcome = stored["outcome"]
        assert RELEASES[outcome["ruleset_version"]][0] == outcome["ruleset_hash"]
        replayed = evaluate(TypeAdapter(CaseInput).validate_python(stored["inputs"]))
        assert replayed.ruleset_version == RULESET_VERSION
    assert RULESET_VERSION not in RELEASES or RELEASES[RULESET_VERSION][0] == RULESET_HASH
