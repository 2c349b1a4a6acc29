"""The engine: derive facts, match the rules, resolve precedence, explain the decision."""

from __future__ import annotations

from services.triage.engine.care_advice import advise
from services.triage.engine.case import CaseInput
from services.triage.engine.decision import Decision, FiredRule, Queue, Urgency
from services.triage.engine.facts import Facts, derive_facts
from services.triage.engine.findings import describe
from services.triage.engine.follow_up import plan
from services.triage.engine.matcher import compile_matcher
from services.triage.engine.missing import add_context_facts, find_missing
from services.triage.engine.rules import FALLBACK, MATCHED_RULES, SAFETY_FLOOR
from services.triage.engine.rules.base import Rule, Stage
from services.triage.engine.ruleset import RULESET_HASH, RULESET_VERSION

__all__ = ["CaseInput", "evaluate"]

_MATCH = compile_matcher(MATCHED_RULES)
QUEUE_RANK = {Queue.HOME_CARE: 0, Queue.PHYSIO: 1, Queue.IMAGING: 2, Queue.SURGICAL: 3}
_DECISIVE_STAGES = (Stage.RED_FLAG, Stage.TRAUMA, Stage.RUPTURE)
_URGENCY_BY_RANK = {urgency.rank: urgency for urgency in Urgency}
_ALL = MATCHED_RULES + (FALLBACK, SAFETY_FLOOR)
# Built once: a decision quotes the same immutable explanation objects for every case.
_FIRED = {rule.id: FiredRule(rule.id, rule.rationale, rule.sources) for rule in _ALL}
_LABEL = {
    rule.id: f"{rule.queue.value}{'/' + rule.modality.value if rule.modality else ''} "
    f"({rule.urgency.value}): {rule.id}"
    for rule in _ALL
    if rule.queue is not None
}


def evaluate(case: CaseInput) -> Decision:
    facts = derive_facts(case)
    add_context_facts(facts, case)
    fired = _MATCH(facts)
    routing = [rule for rule in fired if rule.queue is not None] or [FALLBACK]
    if routing[0] is FALLBACK:
        fired.append(FALLBACK)
    winner = choose_route(routing)
    urgency = _URGENCY_BY_RANK[max(rule.urgency.rank for rule in routing)]
    missing, unsafe_unknowns = find_missing(case, facts)
    review = unsafe_unknowns or any(rule.review for rule in fired)
    queue, modality = winner.queue, winner.modality
    if review and queue is Queue.HOME_CARE:
        # Safety floor: an unknown or contradictory safety answer never ends in home care.
        queue, modality = SAFETY_FLOOR.queue, None
        urgency = _URGENCY_BY_RANK[max(urgency.rank, SAFETY_FLOOR.urgency.rank)]
        fired.append(SAFETY_FLOOR)
    return Decision(
        queue=queue,
        urgency=urgency,
        imaging_modality=modality,
        conditions=_likely_conditions(winner, fired, facts),
        rules_fired=tuple(_FIRED[r.id] for r in fired),
        care_advice=advise(queue, urgency, facts),
        follow_up_plan=plan(queue, urgency, modality, facts),
        missing_information=tuple(missing),
        needs_clinician_review=review,
        emergency_override=urgency is Urgency.EMERGENCY,
        also_indicated=_also_indicated(routing, queue, modality),
        ruleset_version=RULESET_VERSION,
        ruleset_hash=RULESET_HASH,
    )


def choose_route(routing: list[Rule]) -> Rule:
    """Red flags, then trauma, then rupture decide alone; otherwise the most specialised care.

    Within a deciding stage the most urgent rule wins; among conditions and escalators the
    highest queue wins, since an escalator exists to move a case up. Ties keep rule order.
    """
    decisive = [rule for rule in routing if rule.stage in _DECISIVE_STAGES]
    if decisive:
        first = min(rule.stage for rule in decisive)
        stage_rules = [rule for rule in decisive if rule.stage == first]
        return max(stage_rules, key=lambda r: (r.urgency.rank, QUEUE_RANK[r.queue]))
    return max(routing, key=lambda r: (QUEUE_RANK[r.queue], r.urgency.rank))


def _likely_conditions(winner: Rule, fired: list[Rule], facts: Facts) -> tuple:
    ordered = sorted(
        (rule for rule in fired if rule.condition),
        key=lambda r: (
            r is not winner,
            r.stage,
            -r.urgency.rank,
            -QUEUE_RANK[r.queue or Queue.HOME_CARE],
        ),
    )
    names = dict.fromkeys(rule.condition for rule in ordered)
    return tuple(describe(name, facts) for name in names)


def _also_indicated(routing: list[Rule], queue: Queue, modality) -> tuple[str, ...]:
    return tuple(
        _LABEL[r.id] for r in routing if r.queue is not queue or r.modality is not modality
    )
