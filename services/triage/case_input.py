"""Turns what the database holds about a case into the engine's input."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import ValidationError

from services.triage.engine import CaseInput
from shared.clinical_record import ExamFindings, PreVisitHistory


class UnreadableRecord(Exception):
    """Stored answers or findings no longer validate. Names the fields, never their values:
    the message reaches logs and task tracebacks."""


def build_case_input(answers: dict, findings: dict, birth_date: date, now: datetime) -> CaseInput:
    history = _validated(PreVisitHistory, answers)
    return CaseInput(
        history=history,
        exam=_validated(ExamFindings, findings) if findings else None,
        age_years=_age_on(birth_date, now.date()),
        days_since_onset=(now.date() - history.onset_date).days if history.onset_date else None,
    )


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
    return {
        "history": case_input.history.model_dump(mode="json", exclude_none=True),
        "exam": case_input.exam.model_dump(mode="json", exclude_none=True)
        if case_input.exam else None,
        "age_years": case_input.age_years,
        "days_since_onset": case_input.days_since_onset,
    }
