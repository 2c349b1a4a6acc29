"""Turns the rule data into one matching function, once, at import.

The rules stay the reviewable source of truth; generating straight-line code from them keeps
matching as fast as a hand-written if-chain (see bench/engine.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from services.triage.engine.facts import Facts
from services.triage.engine.rules.base import Rule

Matcher = Callable[[Facts], tuple[list, list, bool, Any, int]]


def compile_matcher(
    rules: Sequence[Rule],
    results: Sequence[Any] | None = None,
    precedence: Callable[[Rule], int] = lambda rule: 0,
) -> Matcher:
    """Return ``match(facts) -> (fired, routing, review, winner, urgency_rank)``.

    ``fired``: the rules whose facts hold, in rule order; ``routing``: those of them with a
    queue; ``review``: whether any of them asks for a clinician's review; ``winner``: the
    routing rule of highest ``precedence`` (the first of equals; None if none routes);
    ``urgency_rank``: the highest urgency among the routing rules. ``results``, if given, is
    what to list for each rule instead of the rule itself (the engine passes each rule's
    precomputed explanation). Precedences and ranks are compiled in as constants.
    """
    lines = [
        "def match(f):",
        "    fired, routing, review, winner, best, top = [], [], False, None, -1, 0",
        "    fire, route = fired.append, routing.append",
    ]
    namespace: dict = {}
    for index, (rule, result) in enumerate(zip(rules, results or rules, strict=True)):
        namespace[f"R{index}"] = result  # each result a global: one cached load, no indexing
        tests = [f"f.{name}" for name in rule.when]
        tests += [f"not f.{name}" for name in rule.unless]
        lines.append(f"    if {' and '.join(tests) or 'True'}:  # {rule.id}")
        lines.append(f"        fire(R{index})")
        if rule.queue is not None:
            rank = precedence(rule)
            lines.append(f"        route(R{index})")
            lines.append(f"        if {rank} > best: best, winner = {rank}, R{index}")
            lines.append(f"        if {rule.urgency.rank} > top: top = {rule.urgency.rank}")
        if rule.review:
            lines.append("        review = True")
    lines.append("    return fired, routing, review, winner, top")
    exec(compile("\n".join(lines), "<rule matcher>", "exec"), namespace)  # noqa: S102
    return namespace["match"]
