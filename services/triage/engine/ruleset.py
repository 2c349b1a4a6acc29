"""The rule set's version and a sha256 of its content, stamped on every decision.

The hash covers everything that decides a route or what the decision says: the rules, the
missing-information checks, the contradiction pairs, the condition profiles, the advice and
follow-up tables, and the source of the fact derivation and of the precedence. Bump RULESET_VERSION whenever the hash changes (a test pins the pair).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, is_dataclass
from enum import Enum
from pathlib import Path

from services.triage.engine import care_advice, evidence, findings, follow_up, missing
from services.triage.engine.rules import ALL_RULES

RULESET_VERSION = "1.4.0"

# Every released rule set: its hash and the commit whose engine decides exactly as it did. A
# decision stores its rule set's version and hash beside its full inputs, so checking out the
# named commit and running those inputs reproduces it (tests/unit/engine/test_ruleset.py keeps
# old inputs readable by today's engine too).
RELEASES = {
    "1.3.0": ("4d86402f1a8b05980b04ce1a33ad43e5183f93358662867094ba0f5cfb22e6cd", "512a908"),
}


def _plain(value):
    if is_dataclass(value):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value


_HERE = Path(__file__).parent
_CODE = (*sorted(f"facts/{path.name}" for path in (_HERE / "facts").glob("*.py")),
         "evaluate.py", "missing.py")


def ruleset_content() -> dict:
    return _plain(
        {
            "rules": ALL_RULES,
            "checks": missing.CHECKS,
            "contradictions": missing.CONTRADICTIONS,
            "profiles": findings.PROFILES,
            "findings": evidence.FINDINGS,
            "details": evidence.DETAILS,
            "advice": care_advice.ADVICE + tuple(care_advice.EMERGENCY_ADVICE),
            "follow_up": follow_up.PLAN,
            # How a case becomes facts, how the route is chosen and how the checks run are code,
            # not data: their source is part of the rule set, so changing it changes the hash.
            "code": {name: (_HERE / name).read_text() for name in _CODE},
        }
    )


def _hash() -> str:
    canonical = json.dumps(ruleset_content(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


RULESET_HASH = _hash()
