"""What a SMART system scope allows. Reads only: `system/Task.read` (SMART v1: read and
search), `system/Task.rs`, `.r`, `.s` (v2), and `system/*.read` for every resource. Writing
through /fhir stays with people (staff and patients), so a write scope is never granted."""

from __future__ import annotations

import re

SCOPE = re.compile(r"^system/(?P<type>\*|[A-Z][A-Za-z]{1,63})\.(?P<access>read|r|s|rs)$")
# A FHIR interaction and the v2 letter that allows it.
LETTER = {"read": "r", "search-type": "s"}


def is_grantable(scope: str) -> bool:
    return SCOPE.match(scope) is not None


def allows(scopes: frozenset[str], resource_type: str, interaction: str) -> bool:
    for scope in scopes:
        found = SCOPE.match(scope)
        if not found or found["type"] not in ("*", resource_type):
            continue
        if found["access"] == "read" or LETTER[interaction] in found["access"]:
            return True
    return False


def needed(resource_type: str) -> str:
    return f"system/{resource_type}.read"
