"""What the engine is fed: one case, as the worker, the tests and the CLI build it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import ConfigDict, Field

from shared.clinical_record import ExamFindings, FollowUpAnswer, PreVisitHistory, Sex


@dataclass(frozen=True)
class CaseInput:
    # Unknown keys are rejected when a case is parsed from JSON (CLI, API): a misspelt
    # safety answer must not be dropped silently.
    __pydantic_config__ = ConfigDict(extra="forbid")

    history: PreVisitHistory
    exam: ExamFindings | None = None
    age_years: Annotated[int, Field(ge=0, le=120)] | None = None
    days_since_onset: Annotated[int, Field(ge=0, le=36500)] | None = None
    # From the patient record: bone-stress risk (low energy availability) reads it.
    sex: Sex | None = None
    # Re-triage after a check-in: lets the time and failed-treatment escalators see the trend.
    follow_up: FollowUpAnswer | None = None
