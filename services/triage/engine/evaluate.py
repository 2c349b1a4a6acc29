"""The engine: derive facts, match the rules, resolve precedence, explain the decision."""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

from services.triage.engine import care_advice, follow_up
from services.triage.engine.case import CaseInput
from services.triage.engine.decision import (
    Decision,
    FiredRule,
    Modality,
    Queue,
    Urgency,
    assemble_decision,
)
from services.triage.engine.facts import NO_EXAM, Facts, derive_facts_from, fact_reader, fields
from services.triage.engine.findings import Profile, profile
from services.triage.engine.matcher import compile_matcher
from services.triage.engine.missing import find_missing_from
from services.triage.engine.rules import FALLBACK, MATCHED_RULES, SAFETY_FLOOR
from services.triage.engine.rules.base import Rule, Stage
from services.triage.engine.ruleset import RULESET_HASH, RULESET_VERSION

__all__ = ["CaseInput", "evaluate"]

QUEUE_RANK = {Queue.HOME_CARE: 0, Queue.PHYSIO: 1, Queue.IMAGING: 2, Queue.SURGICAL: 3}
_DECISIVE_STAGES = (Stage.RED_FLAG, Stage.TRAUMA, Stage.RUPTURE)
_URGENCY_BY_RANK = {urgency.rank: urgency for urgency in Urgency}
# Enum members read on every case, as module constants (an enum class attribute read goes
# through the enum metaclass on CPython 3.11: see facts.py).
_HOME_CARE, _EMERGENCY = Queue.HOME_CARE, Urgency.EMERGENCY


def route_precedence(rule: Rule) -> int:
    """The routing rule with the highest precedence decides the queue (reference section 0).

    Red flags, then trauma, then rupture decide alone: within the first deciding stage that
    fired, the most urgent rule wins, then the most specialised queue. Otherwise conditions and
    escalators compete on the most specialised queue, then urgency, since an escalator exists
    to move a case up. Ties keep rule order (the first of equals wins).

    One integer, so the compiled matcher can compare it as a constant: the digits read
    (deciding stage, urgency, queue) for deciding stages and (queue, urgency) otherwise.
    """
    queue, urgency = QUEUE_RANK[rule.queue], rule.urgency.rank
    if rule.stage in _DECISIVE_STAGES:
        return 10_000 + (10 - rule.stage) * 100 + urgency * 10 + queue
    return queue * 10 + urgency


def condition_order(rule: Rule) -> tuple[int, ...]:
    """How the conditions behind the other fired rules are ranked after the winner's."""
    return (rule.stage, -rule.urgency.rank, -QUEUE_RANK[rule.queue or Queue.HOME_CARE])


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule with everything a decision needs from it worked out once, at import.

    The explanation (FiredRule), the condition rank, the findings profile and the ``also
    indicated`` label are constants of the rule; a decision quotes the same immutable objects
    for every case. (Route precedence is compiled into the matcher itself.)
    """

    rule: Rule
    fired: FiredRule
    condition_rank: int
    urgency_rank: int
    profile: Profile | None  # the findings profile of the rule's condition
    route: tuple[Queue | None, Modality | None]
    label: str


def _compile(rules: tuple[Rule, ...]) -> dict[str, CompiledRule]:
    # Stable sort: rules equal on condition_order keep rule-set order, as before.
    ranked = sorted(rules, key=condition_order)
    rank = {rule.id: position for position, rule in enumerate(ranked)}
    return {
        rule.id: CompiledRule(
            rule=rule,
            fired=FiredRule(rule.id, rule.rationale, rule.sources),
            condition_rank=rank[rule.id],
            urgency_rank=rule.urgency.rank,
            profile=profile(rule.condition) if rule.condition else None,
            route=(rule.queue, rule.modality),
            label=_label(rule),
        )
        for rule in rules
    }


def _label(rule: Rule) -> str:
    if rule.queue is None:
        return ""
    modality = f"/{rule.modality.value}" if rule.modality else ""
    return f"{rule.queue.value}{modality} ({rule.urgency.value}): {rule.id}"


_COMPILED = _compile(MATCHED_RULES + (FALLBACK, SAFETY_FLOOR))
_MATCH = compile_matcher(
    MATCHED_RULES, [_COMPILED[rule.id] for rule in MATCHED_RULES], precedence=route_precedence
)
_FALLBACK, _SAFETY_FLOOR = _COMPILED[FALLBACK.id], _COMPILED[SAFETY_FLOOR.id]
_CONDITION_RANK = attrgetter("condition_rank")


# Advice and the follow-up plan are pure functions of the route and of the facts their tables
# read, so they are memoised together on those (a few hundred combinations in practice).
_READ_CARE_FACTS = fact_reader(sorted(care_advice.RELEVANT_FACTS | follow_up.RELEVANT_FACTS))
_CARE_MEMO: dict[tuple, tuple[tuple[str, ...], tuple]] = {}
_EMERGENCY_CARE = (care_advice.EMERGENCY_ADVICE, follow_up.EMERGENCY_PLAN)


def evaluate(case: CaseInput) -> Decision:
    history, exam = fields(case.history), fields(case.exam or NO_EXAM)
    facts = derive_facts_from(case, history, exam)
    fired, routing, review, winner, urgency_rank = _MATCH(facts)
    if winner is None:
        routing, winner, urgency_rank = [_FALLBACK], _FALLBACK, _FALLBACK.urgency_rank
        fired.append(_FALLBACK)
    urgency = _URGENCY_BY_RANK[urgency_rank]
    missing, unsafe_unknowns = find_missing_from(case, facts, history, exam)
    review = review or unsafe_unknowns
    queue, modality = winner.route
    if review and queue is _HOME_CARE:
        # Safety floor: an unknown or contradictory safety answer never ends in home care.
        queue, modality = _SAFETY_FLOOR.route
        urgency = _URGENCY_BY_RANK[max(urgency.rank, _SAFETY_FLOOR.urgency_rank)]
        fired.append(_SAFETY_FLOOR)
    route = (queue, modality)
    if urgency is _EMERGENCY:
        care = _EMERGENCY_CARE  # the same whatever the findings: go now, staff alerted
    else:
        care = _care_and_follow_up(queue, urgency, modality, facts)
    if len(routing) == 1 and winner.route == route:
        also_indicated = ()  # the usual case: one routing rule, and it decided
    else:
        also_indicated = tuple([rule.label for rule in routing if rule.route != route])
    return assemble_decision(
        {
            "queue": queue,
            "urgency": urgency,
            "imaging_modality": modality,
            "conditions": _likely_conditions(winner, fired, facts),
            "rules_fired": tuple([rule.fired for rule in fired]),
            "care_advice": care[0],
            "follow_up_plan": care[1],
            "missing_information": missing,
            "needs_clinician_review": review,
            "emergency_override": urgency is _EMERGENCY,
            "also_indicated": also_indicated,
            "ruleset_version": RULESET_VERSION,
            "ruleset_hash": RULESET_HASH,
            "extra": {},
        }
    )


def _care_and_follow_up(queue: Queue, urgency: Urgency, modality, facts: Facts) -> tuple:
    key = (queue, urgency, modality, _READ_CARE_FACTS(facts))
    found = _CARE_MEMO.get(key)
    if found is None:
        found = _CARE_MEMO[key] = (
            care_advice.advise(queue, urgency, facts),
            follow_up.plan(queue, urgency, modality, facts),
        )
    return found


def _likely_conditions(winner: CompiledRule, fired: list[CompiledRule], facts: Facts) -> tuple:
    # The winner's condition first, then the others in precedence order, each named once.
    described = []
    seen = {None}
    for rule in (winner, *sorted(fired, key=_CONDITION_RANK)):
        profile = rule.profile
        if profile not in seen:
            seen.add(profile)
            # The profile's memo, looked up inline: describe() only on a first sighting.
            described.append(profile.memo.get(profile.read(facts)) or profile.describe(facts))
    return tuple(described)
