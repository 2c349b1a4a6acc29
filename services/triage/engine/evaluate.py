"""The engine: derive facts, match the rules, resolve precedence, explain the decision."""

from __future__ import annotations

from services.triage.engine import care_advice, follow_up
from services.triage.engine.case import CaseInput
from services.triage.engine.decision import Decision, FiredRule, Queue, Urgency
from services.triage.engine.evidence import findings_for
from services.triage.engine.facts import Facts, derive_facts
from services.triage.engine.findings import describe
from services.triage.engine.missing import find_missing
from services.triage.engine.rules import (
    ACUTE_SAFETY_FLOOR,
    FALLBACK,
    MATCHED_RULES,
    SAFETY_FLOOR,
)
from services.triage.engine.rules.base import Rule
from services.triage.engine.ruleset import RULESET_HASH, RULESET_VERSION

__all__ = ["CaseInput", "evaluate"]

QUEUE_RANK = {Queue.HOME_CARE: 0, Queue.PHYSIO: 1, Queue.IMAGING: 2, Queue.SURGICAL: 3}


def route_precedence(rule: Rule) -> tuple[int, int, int]:
    """Which routing rule decides the queue: the most specialised queue first.

    A finding can only add a route, never take one away, so the case goes to the most
    specialised queue any fired rule asks for (reference section 0 read as "red flags are never
    overruled"): a red flag that asks for an X-ray cannot pull a case out of a surgical queue
    another rule put it in. Among rules for the same queue, the earlier stage (red flag, trauma,
    rupture, condition, escalator) then the more urgent rule decides the modality; ties keep
    rule order.
    """
    return (QUEUE_RANK[rule.queue], -rule.stage, rule.urgency.rank)


def condition_order(rule: Rule) -> tuple[int, ...]:
    """How the conditions behind the other fired rules are ranked after the winner's."""
    return (rule.stage, -rule.urgency.rank, -QUEUE_RANK[rule.queue or Queue.HOME_CARE])


def matches(rule: Rule, facts: Facts) -> bool:
    return all(facts[name] for name in rule.when) and not any(
        facts[name] for name in rule.unless
    )


def evaluate(case: CaseInput) -> Decision:
    facts = derive_facts(case)
    fired = [rule for rule in MATCHED_RULES if matches(rule, facts)]
    routing = [rule for rule in fired if rule.queue is not None] or [FALLBACK]
    if FALLBACK in routing:
        fired.append(FALLBACK)
    winner = max(routing, key=route_precedence)  # max keeps the first of equals
    missing, unsafe_unknowns = find_missing(case, facts)
    review = unsafe_unknowns or any(rule.review for rule in fired)
    queue, modality = winner.queue, winner.modality
    floors = []
    if review and queue is Queue.HOME_CARE:
        # An unknown or contradictory safety answer, or a rule asking for a clinician, never
        # ends in home care.
        floors.append(SAFETY_FLOOR)
        queue, modality = SAFETY_FLOOR.queue, SAFETY_FLOOR.modality
    if unsafe_unknowns and facts.recent_injury:
        # After an acute injury the unknowns may hide a fracture or a neurovascular problem:
        # a clinician sees the case within a working day, whatever the route.
        floors.append(ACUTE_SAFETY_FLOOR)
    fired += floors
    urgency, urgency_reason = _urgency(winner, fired)
    emergency = urgency is Urgency.EMERGENCY
    if emergency:
        care = (care_advice.EMERGENCY_ADVICE, follow_up.EMERGENCY_PLAN)
    else:
        care = (
            care_advice.advise(queue, urgency, facts),
            follow_up.plan(queue, urgency, modality, facts),
        )
    return Decision(
        queue=queue,
        urgency=urgency,
        imaging_modality=modality,
        conditions=_likely_conditions(winner, fired, facts),
        rules_fired=tuple(_explain(rule, facts, missing) for rule in fired),
        care_advice=care[0],
        follow_up_plan=care[1],
        missing_information=missing,
        needs_clinician_review=review,
        emergency_override=emergency,
        also_indicated=tuple(
            _label(rule) for rule in routing if (rule.queue, rule.modality) != (queue, modality)
        ),
        urgency_reason=urgency_reason,
        ruleset_version=RULESET_VERSION,
        ruleset_hash=RULESET_HASH,
    )


def _urgency(winner: Rule, fired: list[Rule]) -> tuple[Urgency, str]:
    """The winning route's urgency, raised by any fired rule that asks for more.

    A rule that asks for more urgency than the winning route (a red flag, a review rule, the
    acute safety floor, a competing route whose test still has to happen) raises it, and the
    decision says which rule did; nothing else does, so routine cases stay routine.
    """
    highest = max(fired, key=lambda rule: rule.urgency.rank)
    if highest.urgency.rank <= winner.urgency.rank:
        return winner.urgency, ""
    return highest.urgency, (
        f"{highest.urgency.value} rather than {winner.urgency.value}, because {highest.id} "
        f"asks for it: {highest.rationale}"
    )


def _explain(rule: Rule, facts: Facts, missing: tuple[str, ...]) -> FiredRule:
    # The floors fire on what is missing, so they name it; every other rule names the findings
    # of this case that made it fire.
    if rule in (SAFETY_FLOOR, ACUTE_SAFETY_FLOOR):
        return FiredRule(rule.id, rule.rationale, rule.sources, findings=(), missing=missing)
    return FiredRule(rule.id, rule.rationale, rule.sources, findings=findings_for(rule, facts))


def _label(rule: Rule) -> str:
    modality = f"/{rule.modality.value}" if rule.modality else ""
    return f"{rule.queue.value}{modality} ({rule.urgency.value}): {rule.id}"


def _likely_conditions(winner: Rule, fired: list[Rule], facts: Facts) -> tuple:
    # The winner's condition first, then the others in precedence order, each named once.
    conditions = []
    for rule in (winner, *sorted(fired, key=condition_order)):
        if rule.condition and rule.condition not in conditions:
            conditions.append(rule.condition)
    return tuple(describe(condition, facts) for condition in conditions)

