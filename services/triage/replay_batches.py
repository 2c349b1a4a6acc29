"""Runs a what-if replay over the stored decisions: bounded batches of engine decisions (oldest
first, keyset-paged), each input run by the rule set in force (here) and by the candidate (its
own process), and each batch audited as one read naming every case it read. Writes nothing
else: the decisions are only read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Engine, and_, func, or_, select
from sqlmodel import col

from services.triage.engine import CaseInput, evaluate
from services.triage.engine.ruleset import RULESET_HASH, RULESET_VERSION
from services.triage.replay import Replayed, ReplayReport, Route, RuleSet, replay
from services.triage.replay_candidates import CandidateProcess
from shared.audit import Actor, Entity, record_list_read
from shared.db import sync_session
from shared.models import Case, TriageDecision

_CASE = TypeAdapter(CaseInput)
CURRENT = RuleSet(RULESET_VERSION, RULESET_HASH)


def _stored(since: datetime | None):
    query = (select(TriageDecision.id, TriageDecision.case_id, Case.patient_id,
                    TriageDecision.inputs, TriageDecision.decided_at)
             .join(Case, col(Case.id) == col(TriageDecision.case_id))
             .where(TriageDecision.source == "engine"))
    return query.where(TriageDecision.decided_at >= since) if since else query


def count_stored(engine: Engine, since: datetime | None, limit: int) -> int:
    with engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(
            _stored(since).subquery())).scalar_one()
    return min(total, limit)


def run_replay(engine: Engine, candidate: CandidateProcess, actor: Actor, *,
               since: datetime | None = None, limit: int = 10_000, batch_size: int = 200,
               sample_size: int = 20, progress: Callable[[int], None] = lambda _n: None
               ) -> ReplayReport:
    report = ReplayReport(current=CURRENT, candidate=candidate.rule_set, sample_size=sample_size)
    after: tuple[datetime, object] | None = None
    left = limit
    while left > 0:
        query = _stored(since)
        if after:
            query = query.where(or_(TriageDecision.decided_at > after[0], and_(
                TriageDecision.decided_at == after[0], TriageDecision.id > after[1])))
        with sync_session(engine) as session, session.begin():
            batch = session.execute(query.order_by(col(TriageDecision.decided_at),
                                                   col(TriageDecision.id))
                                    .limit(min(batch_size, left))).all()
            if not batch:
                break
            replay(report, _replayed(batch, candidate, report))
            record_list_read(session, actor, f"rules-replay:{candidate.rule_set.version}", [
                Entity("Case", row.case_id, row.patient_id) for row in batch])
        after, left = (batch[-1].decided_at, batch[-1].id), left - len(batch)
        progress(len(batch))
    return report


def _replayed(batch, candidate: CandidateProcess, report: ReplayReport):
    for row in batch:
        try:
            current = Route.of(evaluate(_CASE.validate_python(row.inputs)).to_dict())
        except ValidationError:
            current = None
        proposed = candidate.evaluate(row.inputs) if current else None
        if current is None or proposed is None:
            report.failed += 1
            continue
        yield Replayed(row.id, row.case_id, row.patient_id, current, proposed)
