"""A candidate rule set in a process of its own, for the what-if replay (services/triage/replay.py).

    python services/triage/replay_runner.py [--file candidate.py]

Run with the engine to replay on the path first: today's tree with a candidate file, or a
temporary worktree of a released version's commit (PYTHONPATH). It prints the rule set's
version and hash as its first line, then reads one stored input (JSON) a line and answers each
with the route the rule set gives it, or with the error that stopped it.

A candidate file is Python defining `VERSION` (a name for the candidate) and
`candidate_rules(rules)`, which receives the rule set in force (the matched rules, in precedence
order) and returns the candidate's. Only this process ever sees the candidate: it replaces the
engine's rule tuples here and hashes the result as ruleset.py does.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys


def _load_candidate(path: str) -> None:
    spec = importlib.util.spec_from_file_location("candidate_rule_set", path)
    candidate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(candidate)
    evaluate = importlib.import_module("services.triage.engine.evaluate")
    ruleset = importlib.import_module("services.triage.engine.ruleset")
    rules = importlib.import_module("services.triage.engine.rules")
    procedural = importlib.import_module("services.triage.engine.rules.procedural")
    matched = tuple(candidate.candidate_rules(rules.MATCHED_RULES))
    evaluate.MATCHED_RULES = matched
    ruleset.ALL_RULES = matched + procedural.PROCEDURAL_RULES
    evaluate.RULESET_HASH = ruleset._hash()
    evaluate.RULESET_VERSION = str(candidate.VERSION)


def _plain(value):
    return getattr(value, "value", value)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file")
    options = parser.parse_args()
    if options.file:
        _load_candidate(options.file)
    from pydantic import TypeAdapter

    evaluate = importlib.import_module("services.triage.engine.evaluate")
    case_input = TypeAdapter(importlib.import_module("services.triage.engine.case").CaseInput)
    print(json.dumps({"version": evaluate.RULESET_VERSION, "hash": evaluate.RULESET_HASH}),
          flush=True)
    for line in sys.stdin:
        try:
            decision = evaluate.evaluate(case_input.validate_python(json.loads(line)))
        except Exception as problem:  # noqa: BLE001 - reported per case, the replay goes on
            answer = {"error": type(problem).__name__}
        else:
            answer = {"queue": _plain(decision.queue), "urgency": _plain(decision.urgency),
                      "imaging_modality": _plain(decision.imaging_modality),
                      "rules": [rule.rule_id for rule in decision.rules_fired]}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
