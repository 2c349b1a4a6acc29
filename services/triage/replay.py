"""What-if replay of a rule set (issue 20): the routes a candidate rule set would give the
stored inputs of past decisions, beside the routes the rule set in force gives them. Pure: the
caller reads the stored decisions (in batches) and evaluates them with each rule set; this
module compares and reports.

A case "moves" when its queue, imaging modality or urgency differs. Its direction is "up" when
neither queue nor urgency goes down and one goes up, "down" when neither goes up and one goes
down, "sideways" for a modality change alone, "mixed" otherwise. A move that lowers the queue or
the urgency of a case in which a red-flag rule or an Ottawa rule fired is a safety concern: the
report lists those first.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from services.triage.engine.rules import ALL_RULES
from services.triage.engine.rules.base import Stage
from shared.routing import QUEUE_RANK, URGENCY_RANK

# The rules whose firing makes a lowered route a safety concern.
SAFETY_RULES = frozenset(rule.id for rule in ALL_RULES
                         if rule.stage is Stage.RED_FLAG or rule.id.startswith("ottawa."))


@dataclass(frozen=True)
class Route:
    queue: str
    urgency: str
    modality: str | None = None
    rules: tuple[str, ...] = ()

    @classmethod
    def of(cls, outcome: dict) -> Route:
        """From a Decision's JSON (to_dict) or a runner's answer."""
        rules = outcome.get("rules") or tuple(r["rule_id"] for r in outcome.get(
            "rules_fired", ()))
        return cls(outcome["queue"], outcome["urgency"], outcome.get("imaging_modality"),
                   tuple(rules))

    @property
    def label(self) -> str:
        modality = f"/{self.modality}" if self.modality else ""
        return f"{self.queue}{modality} · {self.urgency}"


@dataclass(frozen=True)
class RuleSet:
    version: str
    hash: str


@dataclass(frozen=True)
class Replayed:
    """One stored decision's inputs run by both rule sets."""

    decision_id: uuid.UUID
    case_id: uuid.UUID
    patient_id: uuid.UUID
    current: Route
    candidate: Route


@dataclass(frozen=True)
class Move:
    decision_id: uuid.UUID
    case_id: uuid.UUID
    current: Route
    candidate: Route
    direction: str
    safety_concern: bool
    rules_added: tuple[str, ...]
    rules_removed: tuple[str, ...]


@dataclass
class ReplayReport:
    current: RuleSet
    candidate: RuleSet
    sample_size: int = 20
    replayed: int = 0
    failed: int = 0  # inputs the candidate could not read (older or newer shapes)
    # (queue, urgency) under the rule set in force -> direction -> cases
    by_route: dict[tuple[str, str], Counter] = field(default_factory=dict)
    transitions: Counter = field(default_factory=Counter)  # (from label, to label) -> cases
    rules_changed: Counter = field(default_factory=Counter)  # ("+"/"-", rule id) -> cases
    safety_concerns: list[Move] = field(default_factory=list)  # every one, never sampled
    sample: list[Move] = field(default_factory=list)

    @property
    def moved(self) -> int:
        return sum(self.transitions.values())

    def add(self, replayed: Replayed) -> None:
        self.replayed += 1
        current, candidate = replayed.current, replayed.candidate
        route = (current.queue, current.urgency)
        counts = self.by_route.setdefault(route, Counter())
        counts["cases"] += 1
        if (current.queue, current.modality, current.urgency) == \
                (candidate.queue, candidate.modality, candidate.urgency):
            counts["unchanged"] += 1
            return
        move = _move(replayed)
        counts[move.direction] += 1
        self.transitions[(current.label, candidate.label)] += 1
        for rule in move.rules_added:
            self.rules_changed[("+", rule)] += 1
        for rule in move.rules_removed:
            self.rules_changed[("-", rule)] += 1
        if move.safety_concern:
            self.safety_concerns.append(move)
        elif len(self.sample) < self.sample_size:
            self.sample.append(move)

    def moves_shown(self) -> list[Move]:
        """Every safety concern first, then the sample of other moves."""
        return [*self.safety_concerns, *self.sample]

    def to_dict(self) -> dict:
        def move(m: Move) -> dict:
            return {"decision_id": str(m.decision_id), "case_id": str(m.case_id),
                    "from": m.current.label, "to": m.candidate.label,
                    "direction": m.direction, "safety_concern": m.safety_concern,
                    "rules_added": list(m.rules_added), "rules_removed": list(m.rules_removed)}

        return {
            "current": {"version": self.current.version, "hash": self.current.hash},
            "candidate": {"version": self.candidate.version, "hash": self.candidate.hash},
            "replayed": self.replayed, "moved": self.moved, "failed": self.failed,
            "by_route": [{"queue": q, "urgency": u, **dict(c)}
                         for (q, u), c in sorted(self.by_route.items(), key=_route_order)],
            "transitions": [{"from": a, "to": b, "cases": n}
                            for (a, b), n in self.transitions.most_common()],
            "rules_changed": [{"rule_id": r, "change": "fires" if s == "+" else "no longer fires",
                               "cases": n} for (s, r), n in self.rules_changed.most_common()],
            "moves": [move(m) for m in self.moves_shown()],
        }


def replay(report: ReplayReport, batch: Iterable[Replayed]) -> ReplayReport:
    for replayed in batch:
        report.add(replayed)
    return report


def _route_order(item) -> tuple[int, int]:
    (queue, urgency), _counts = item
    return (-QUEUE_RANK.get(queue, 0), -URGENCY_RANK.get(urgency, 0))


def direction(current: Route, candidate: Route) -> str:
    queue = QUEUE_RANK[candidate.queue] - QUEUE_RANK[current.queue]
    urgency = URGENCY_RANK[candidate.urgency] - URGENCY_RANK[current.urgency]
    if queue >= 0 and urgency >= 0 and (queue or urgency):
        return "up"
    if queue <= 0 and urgency <= 0 and (queue or urgency):
        return "down"
    return "sideways" if not (queue or urgency) else "mixed"


def _move(replayed: Replayed) -> Move:
    current, candidate = replayed.current, replayed.candidate
    way = direction(current, candidate)
    fired = set(current.rules) | set(candidate.rules)
    return Move(replayed.decision_id, replayed.case_id, current, candidate, way,
                safety_concern=way in ("down", "mixed") and bool(fired & SAFETY_RULES),
                rules_added=tuple(r for r in candidate.rules if r not in current.rules),
                rules_removed=tuple(r for r in current.rules if r not in candidate.rules))
