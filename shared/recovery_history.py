"""A case's recovery scores as shared/recovery.py reads them, from what intake stored: the
pre-visit form's pain rating (day 0) and each check-in's pain rating and function score, in
days since care began (the case's first triage decision). The statements run on a sync
connection (triage) or an async session (intake's case page) alike."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlmodel import col

from shared.clinical_record import CHECK_IN_QUESTIONNAIRE_ID, QUESTIONNAIRE_ID, function_score
from shared.models import IntakeResponse, TriageDecision
from shared.recovery import Assessment, Score, assess


@dataclass(frozen=True)
class RecoveryRecord:
    started_at: datetime | None  # the first triage decision: day 0 of care
    days_since_onset: int | None  # as the engine saw it then
    scores: tuple[Score, ...]

    def assessment(self) -> Assessment:
        return assess(self.days_since_onset, self.scores)


def first_decision(case_id: uuid.UUID) -> Select:
    return (select(TriageDecision.decided_at, TriageDecision.inputs)
            .where(TriageDecision.case_id == case_id)
            .order_by(col(TriageDecision.decided_at)).limit(1))


def answers(case_id: uuid.UUID) -> Select:
    return (select(IntakeResponse.questionnaire, IntakeResponse.answers,
                   IntakeResponse.authored_at)
            .where(IntakeResponse.case_id == case_id,
                   col(IntakeResponse.questionnaire).in_((QUESTIONNAIRE_ID,
                                                          CHECK_IN_QUESTIONNAIRE_ID)))
            .order_by(col(IntakeResponse.authored_at)))


def record_from(first: tuple | None, responses: list) -> RecoveryRecord:
    """`first`: the first_decision row (None before triage); `responses`: the answers rows."""
    started_at, inputs = first if first else (None, {})
    pre_visit = [r for r in responses if r.questionnaire == QUESTIONNAIRE_ID]
    scores = []
    if pre_visit and pre_visit[-1].answers.get("pain_score") is not None:
        scores.append(Score(day=0, pain=pre_visit[-1].answers["pain_score"]))
    for row in responses:
        if row.questionnaire != CHECK_IN_QUESTIONNAIRE_ID or started_at is None:
            continue
        pain, function = row.answers.get("pain_score"), function_score(row.answers)
        if pain is not None or function is not None:
            day = max((row.authored_at - started_at).days, 0)
            scores.append(Score(day=day, pain=pain, function=function))
    return RecoveryRecord(started_at, (inputs or {}).get("days_since_onset"), tuple(scores))
