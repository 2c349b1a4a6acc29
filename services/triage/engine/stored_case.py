"""Turns what the database holds about a case into the engine's input: pure, so the triage
worker and the CDS Hooks services (which decide on what an EHR sends) read a case the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import ValidationError

from services.triage.engine import CaseInput
from shared.clinical_record import (
    CheckInAnswers,
    ExamFindings,
    FollowUpAnswer,
    NewSymptom,
    PreVisitHistory,
    Severity,
    Sex,
    Treatment,
    TreatmentTried,
)


class UnreadableRecord(Exception):
    """Stored answers or findings no longer validate. Names the fields, never their values:
    the message reaches logs and task tracebacks."""


@dataclass(frozen=True)
class StoredCase:
    """Everything recorded about a case that the engine reads."""

    answers: dict
    findings: dict
    birth_date: date
    opened_at: datetime
    check_in: dict | None = None
    previous_decision_at: datetime | None = None
    sex: str | None = None  # the patient record's administrative gender


# A new symptom at check-in, as the pre-visit answer it changes. Where a symptom could mean
# more than one severity the worse is taken: re-triage must not under-call what changed.
SYMPTOM_ANSWERS = {
    NewSymptom.NUMBNESS: {"numbness_or_tingling": True},
    NewSymptom.COLD_OR_PALE_FOOT: {"foot_cold_pale_or_blue": True},
    NewSymptom.MORE_SWELLING: {"swelling": Severity.SEVERE},
    NewSymptom.REDNESS_OR_WARMTH: {"foot_red_warm_swollen": True},
    NewSymptom.CANNOT_BEAR_WEIGHT: {"walks_four_steps_now": False},
    NewSymptom.FEVER: {"fever_or_unwell": True},
}


def build_case_input(stored: StoredCase, now: datetime) -> CaseInput:
    history = _validated(PreVisitHistory, stored.answers)
    follow_up = None
    if stored.check_in is not None:
        check_in = _validated(CheckInAnswers, stored.check_in)
        since = (now - (stored.previous_decision_at or stored.opened_at)).days
        history = _with_check_in(history, check_in, since)
        follow_up = FollowUpAnswer(days_since_previous_decision=max(since, 0),
                                   trend=check_in.trend)
    return CaseInput(
        history=history,
        exam=_validated(ExamFindings, stored.findings) if stored.findings else None,
        age_years=_age_on(stored.birth_date, now.date()),
        days_since_onset=_days_since_onset(history, stored, now),
        sex=Sex(stored.sex) if stored.sex else None,
        follow_up=follow_up,
    )


def _with_check_in(history: PreVisitHistory, check_in: CheckInAnswers,
                   days_since_decision: int) -> PreVisitHistory:
    updates: dict = {}
    for symptom in check_in.new_symptoms:
        updates.update(SYMPTOM_ANSWERS[symptom])
    if check_in.improvement_percent is not None:
        updates["improvement_percent"] = check_in.improvement_percent
    if check_in.pain_score is not None:  # the same question as the form's: the pain today
        updates["pain_score"] = check_in.pain_score
    if check_in.followed_advice:
        # The advice at every first route includes relative rest: following it for the
        # interval is a course of rest the time escalators must see.
        rest = TreatmentTried(treatment=Treatment.REST, weeks=max(days_since_decision // 7, 1))
        updates["treatments_tried"] = [*history.treatments_tried, rest]
    return history.model_copy(update=updates)


def _days_since_onset(history: PreVisitHistory, stored: StoredCase, now: datetime) -> int | None:
    by_onset = (now.date() - history.onset_date).days if history.onset_date else None
    if stored.check_in is None:
        return by_onset
    # At a check-in the pain has lasted at least as long as the case has been open.
    by_case = (now - stored.opened_at).days
    return max(by_case, by_onset or 0)


def _validated(model, data: dict):
    try:
        return model.model_validate(data)
    except ValidationError as problem:
        fields = sorted({".".join(map(str, e["loc"])) for e in problem.errors()})
        raise UnreadableRecord(f"{model.__name__} fails validation at {fields}") from None


def _age_on(birth_date: date, today: date) -> int:
    had_birthday = (today.month, today.day) >= (birth_date.month, birth_date.day)
    return today.year - birth_date.year - (0 if had_birthday else 1)


def snapshot(case_input: CaseInput) -> dict:
    """The exact inputs, stored beside the decision so it can be reproduced."""
    def dump(model):
        return model.model_dump(mode="json", exclude_none=True) if model else None

    return {
        "history": dump(case_input.history),
        "exam": dump(case_input.exam),
        "age_years": case_input.age_years,
        "days_since_onset": case_input.days_since_onset,
        "sex": case_input.sex.value if case_input.sex else None,
        "follow_up": dump(case_input.follow_up),
    }
