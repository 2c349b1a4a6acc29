"""PLACEHOLDER first rule set for the walking skeleton; replaced by the full engine (issue 3)."""

from __future__ import annotations

from dataclasses import dataclass

from services.triage.engine.decision import (
    Citation,
    Decision,
    FiredRule,
    FollowUpStep,
    Modality,
    Queue,
    Urgency,
)
from shared.clinical_record import ExamFindings, Onset, PreVisitHistory

RULESET_VERSION = "0.1.0"


@dataclass(frozen=True)
class CaseInput:
    history: PreVisitHistory
    exam: ExamFindings | None = None
    age_years: int | None = None
    days_since_onset: int | None = None


def evaluate(case: CaseInput) -> Decision:
    h = case.history
    if h.onset == Onset.INJURY and (
        h.walked_four_steps_immediately is False and h.walks_four_steps_now is False
    ):
        return Decision(
            queue=Queue.IMAGING,
            urgency=Urgency.URGENT,
            imaging_modality=Modality.XRAY,
            rules_fired=(
                FiredRule(
                    "ottawa.weight_bearing",
                    "Could not take four steps both straight after the injury and now.",
                    (Citation("Stiell 1993, JAMA 269:1127"),),
                ),
            ),
            follow_up_plan=(FollowUpStep(7, "one-week check"),),
            ruleset_version=RULESET_VERSION,
        )
    return Decision(
        queue=Queue.HOME_CARE,
        urgency=Urgency.ROUTINE,
        follow_up_plan=(FollowUpStep(7, "one-week check: no better after a week escalates"),),
        ruleset_version=RULESET_VERSION,
    )
