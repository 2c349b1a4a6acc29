"""ankle-triage: the engine's decision for the patient's answers and exam, as one card.

The indicator follows the urgency (emergency critical, urgent warning, otherwise info); the
detail lists the likely conditions, each rule that fired with the findings of this case and
its evidence, and what is still missing; the one suggestion creates the ServiceRequest for the
proposed queue and the Task that puts it on the clinic's list, for the EHR to carry out.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from services.intake.cds_hooks.cards import (
    OVERRIDE_REASONS,
    bullet_list,
    evidence_url,
    markdown_text,
    route_label,
    rule_set_source,
    summary,
)
from services.intake.cds_hooks.schemas import Action, Card, Indicator, Link, Suggestion
from services.intake.fhir.canonical import code_system
from services.triage.engine.decision import Decision, Urgency
from shared.routing import WAIT_TARGETS

INDICATORS = {Urgency.EMERGENCY: Indicator.CRITICAL, Urgency.URGENT: Indicator.WARNING}
# FHIR request-priority, lowest to highest: routine, urgent, asap, stat.
PRIORITIES = {Urgency.ROUTINE: "routine", Urgency.SOON: "urgent", Urgency.URGENT: "asap",
              Urgency.EMERGENCY: "stat"}
QUEUE_SYSTEM = code_system("triage-queue")


def triage_card(decision: Decision, *, base: str, patient_id: str, user_id: str,
                response_id: str | None, case_id: uuid.UUID | None, now: datetime) -> Card:
    route = route_label(decision)
    urgency = decision.urgency.value
    top = decision.conditions[0].condition if decision.conditions else None
    headline = f"Ankle triage: {route}, {urgency}" + (f" (likely {top})" if top else "")
    if decision.urgency is Urgency.EMERGENCY:
        headline = f"Emergency: {route} now" + (f" (likely {top})" if top else "")
    evidence = next((url for rule in decision.rules_fired for source in rule.sources
                     if (url := evidence_url(base, source.source))), None)
    links = [Link(label="Open the case in the triage clinic", type="absolute",
                  url=f"{base}/staff/cases/{case_id}")] if case_id else None
    return Card(
        uuid=str(uuid.uuid4()), summary=summary(headline), detail=detail(decision, base),
        indicator=INDICATORS.get(decision.urgency, Indicator.INFO),
        source=rule_set_source(base, evidence),
        suggestions=[referral(decision, patient_id, user_id, response_id, now)],
        selectionBehavior="at-most-one", overrideReasons=list(OVERRIDE_REASONS), links=links)


def detail(decision: Decision, base: str) -> str:
    route = markdown_text(route_label(decision))
    parts = [f"**Proposed route:** {route}, **urgency:** {decision.urgency.value}"]
    if decision.urgency_reason:
        parts.append(f"**Why this urgency:** {markdown_text(decision.urgency_reason)}")
    if decision.emergency_override:
        parts.append("**Seek care now:** the patient needs to be seen immediately.")
    if decision.conditions:
        parts.append("### Likely conditions\n" + "\n".join(
            f"- **{markdown_text(c.condition)}**"
            + (f": {markdown_text('; '.join(c.supporting))}" if c.supporting else "")
            + (f" (against: {markdown_text('; '.join(c.against))})" if c.against else "")
            for c in decision.conditions))
    parts.append("### Rules that fired\n" + "\n".join(_rule(rule, base)
                                                      for rule in decision.rules_fired))
    parts.append("### Missing information\n" + (bullet_list(decision.missing_information)
                                                 or "Nothing missing."))
    if decision.also_indicated:
        parts.append("**Also indicated:** " + markdown_text(", ".join(decision.also_indicated)))
    parts.append(f"Rule set {decision.ruleset_version}, sha256 {decision.ruleset_hash[:12]}.")
    return "\n\n".join(parts)


def _rule(rule, base: str) -> str:
    lines = [f"- **{markdown_text(rule.rule_id)}**: {markdown_text(rule.rationale)}"]
    if rule.findings:
        lines.append(f"  - Found: {markdown_text('; '.join(rule.findings))}")
    if rule.missing:
        lines.append(f"  - Still unanswered: {markdown_text('; '.join(rule.missing))}")
    cited = []
    for source in rule.sources:
        label = markdown_text(source.detail or source.source)
        url = evidence_url(base, source.source)
        cited.append(f"[{label}]({url})" if url else label)
    if cited:
        lines.append(f"  - Evidence: {'; '.join(cited)}")
    return "\n".join(lines)


def referral(decision: Decision, patient_id: str, user_id: str, response_id: str | None,
             now: datetime) -> Suggestion:
    """The ServiceRequest for the proposed queue, and the Task for the clinic's queue, which
    refers to it by the id given here (the EHR keeps or maps it when it creates both)."""
    route = route_label(decision)
    request_id = str(uuid.uuid4())
    priority = PRIORITIES[decision.urgency]
    subject = {"reference": f"Patient/{patient_id}"}
    code = {"coding": [{"system": QUEUE_SYSTEM, "code": decision.queue.value,
                        "display": route}], "text": route}
    service_request = {
        "resourceType": "ServiceRequest", "id": request_id, "status": "active",
        "intent": "order", "priority": priority, "code": code, "subject": subject,
        "authoredOn": now.isoformat(), "requester": {"reference": user_id},
        "reasonCode": [{"text": c.condition} for c in decision.conditions[:3]] or None,
        "supportingInfo": [{"reference": f"QuestionnaireResponse/{response_id}"}]
        if response_id else None,
        "note": [{"text": f"Ankle triage rule set {decision.ruleset_version}: "
                          + ", ".join(rule.rule_id for rule in decision.rules_fired)}],
    }
    task = {
        "resourceType": "Task", "status": "requested", "intent": "order",
        "priority": priority, "code": code,
        "description": f"Triage queue: {route}, {decision.urgency.value}",
        "basedOn": [{"reference": f"ServiceRequest/{request_id}"}],
        "focus": {"reference": f"ServiceRequest/{request_id}"}, "for": subject,
        "authoredOn": now.isoformat(), "requester": {"reference": user_id},
        "businessStatus": {"text": "waiting"},
        "restriction": {"period": {"end": (now + WAIT_TARGETS[decision.urgency.value])
                                   .isoformat()}},
    }
    return Suggestion(
        label=f"Refer: {route}, {decision.urgency.value}", uuid=str(uuid.uuid4()),
        isRecommended=True,
        actions=[Action(type="create", description=f"Order: {route} ({priority})",
                        resource={k: v for k, v in service_request.items() if v is not None}),
                 Action(type="create", description=f"Put on the {route} queue",
                        resource=task)])
