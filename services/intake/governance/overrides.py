"""Learning from overrides: over a chosen period, the clinicians' overrides counted by the rules
that fired in the decision they replaced and by original and new queue and urgency, with their
reasons; CDS Hooks feedback (accepted or overridden in the EHR) counted the same way; and per
rule, how often the people who saw its advice agreed with it.

Agreement of a rule = (advice followed) / (advice given) where advice is given by each engine
decision in the period in which the rule fired (followed unless a clinician overrode that
decision) and by each card with feedback in the period whose advice named the rule (followed
when accepted). A decision replaced by an override is the case's latest decision before it
(what casework.override replaces)."""

from __future__ import annotations

import csv
import io
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.models import Case, CdsCard, CdsFeedback, TriageDecision

OVERRIDE = aliased(TriageDecision, name="override")
REPLACED = aliased(TriageDecision, name="replaced")


@dataclass
class RuleAgreement:
    fired: int = 0  # engine decisions in which it fired
    overridden: int = 0  # of those, overridden by a clinician
    cds_accepted: int = 0
    cds_overridden: int = 0

    @property
    def agreement_percent(self) -> int | None:
        given = self.fired + self.cds_accepted + self.cds_overridden
        followed = self.fired - self.overridden + self.cds_accepted
        return round(followed * 100 / given) if given else None


@dataclass
class OverrideReport:
    start: datetime
    end: datetime
    rules: dict[str, RuleAgreement] = field(default_factory=lambda: defaultdict(RuleAgreement))
    # (source, from queue, from urgency, to queue, to urgency) -> count; source clinic | ehr
    routes: Counter = field(default_factory=Counter)
    reasons: dict[tuple, list[str]] = field(default_factory=lambda: defaultdict(list))
    cases: set[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=set)  # (case, patient)

    def rule_rows(self) -> list[tuple[str, RuleAgreement]]:
        return sorted(self.rules.items(), key=lambda item: (
            item[1].agreement_percent if item[1].agreement_percent is not None else 101,
            item[0]))

    def route_rows(self) -> list[tuple[tuple, int, list[str]]]:
        return [(route, count, self.reasons[route]) for route, count in self.routes.most_common()]


async def override_report(session: AsyncSession, start: datetime, end: datetime
                          ) -> OverrideReport:
    report = OverrideReport(start, end)
    overridden = await _overrides(session, report)
    engine_decisions = await session.execute(
        select(TriageDecision.id, TriageDecision.outcome, TriageDecision.case_id,
               Case.patient_id)
        .join(Case, col(Case.id) == col(TriageDecision.case_id))
        .where(TriageDecision.source == "engine", TriageDecision.decided_at >= start,
               TriageDecision.decided_at < end))
    for decision_id, outcome, case_id, patient_id in engine_decisions.all():
        report.cases.add((case_id, patient_id))
        for rule in _rules(outcome):
            report.rules[rule].fired += 1
            report.rules[rule].overridden += decision_id in overridden
    await _feedback(session, report)
    return report


async def _overrides(session: AsyncSession, report: OverrideReport) -> set[uuid.UUID]:
    """Counts each override in the period; the engine decisions they replaced."""
    replaced_id = (select(TriageDecision.id)
                   .where(TriageDecision.case_id == OVERRIDE.case_id,
                          TriageDecision.decided_at < OVERRIDE.decided_at)
                   .order_by(col(TriageDecision.decided_at).desc()).limit(1)
                   .correlate(OVERRIDE).scalar_subquery())
    rows = await session.execute(
        select(OVERRIDE.queue, OVERRIDE.urgency, OVERRIDE.outcome, OVERRIDE.case_id,
               Case.patient_id, REPLACED.id, REPLACED.source, REPLACED.queue, REPLACED.urgency)
        .join(Case, col(Case.id) == OVERRIDE.case_id)
        .outerjoin(REPLACED, REPLACED.id == replaced_id)
        .where(OVERRIDE.source == "clinician", OVERRIDE.trigger == "override",
               and_(OVERRIDE.decided_at >= report.start, OVERRIDE.decided_at < report.end))
        .order_by(OVERRIDE.decided_at, OVERRIDE.id))
    replaced_engine = set()
    for (queue, urgency, outcome, case_id, patient_id, replaced, source, old_queue,
         old_urgency) in rows.all():
        report.cases.add((case_id, patient_id))
        route = ("clinic", old_queue or "none", old_urgency or "none", queue, urgency)
        report.routes[route] += 1
        reason = (outcome.get("override") or {}).get("reason")
        if reason:
            report.reasons[route].append(reason)
        if source == "engine":
            replaced_engine.add(replaced)
    return replaced_engine


async def _feedback(session: AsyncSession, report: OverrideReport) -> None:
    rows = await session.execute(
        select(CdsFeedback.outcome, CdsFeedback.override_reason_display,
               CdsFeedback.override_reason_code, CdsFeedback.user_comment, CdsCard.advice,
               CdsCard.case_id, CdsCard.patient_id)
        .join(CdsCard, col(CdsCard.id) == col(CdsFeedback.card_id))
        .where(CdsFeedback.outcome_at >= report.start, CdsFeedback.outcome_at < report.end)
        .order_by(col(CdsFeedback.outcome_at), col(CdsFeedback.id)))
    for outcome, display, code, comment, advice, case_id, patient_id in rows.all():
        if case_id and patient_id:
            report.cases.add((case_id, patient_id))
        accepted = outcome == "accepted"
        for rule in advice.get("rules", ()):
            agreement = report.rules[rule]
            agreement.cds_accepted += accepted
            agreement.cds_overridden += not accepted
        advised = (advice.get("queue") or "none", advice.get("urgency") or "none")
        route = ("ehr", *advised, "accepted" if accepted else "overridden", "")
        report.routes[route] += 1
        reason = "; ".join(filter(None, (display or code, comment)))
        if reason:
            report.reasons[route].append(reason)


def _rules(outcome: dict) -> list[str]:
    return [rule["rule_id"] for rule in outcome.get("rules_fired", ())]


CSV_HEADER = ("section", "source", "rule_id", "from_queue", "from_urgency", "to_queue",
              "to_urgency", "count", "fired", "overridden", "cds_accepted", "cds_overridden",
              "agreement_percent", "reasons")


def as_csv(report: OverrideReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for rule, a in report.rule_rows():
        writer.writerow(("rule", "", rule, "", "", "", "", "", a.fired, a.overridden,
                         a.cds_accepted, a.cds_overridden,
                         "" if a.agreement_percent is None else a.agreement_percent, ""))
    for (source, from_queue, from_urgency, to_queue, to_urgency), count, reasons in \
            report.route_rows():
        writer.writerow(("route", source, "", from_queue, from_urgency, to_queue, to_urgency,
                         count, "", "", "", "", "", _cell(" | ".join(reasons))))
    return out.getvalue()


def _cell(text: str) -> str:
    """Free text a spreadsheet must not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
