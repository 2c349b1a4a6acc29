from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from services.intake.patients.schemas import PatientIdentity
from shared.clinical_record import ExamFindings, PreVisitHistory


class IntakeSubmission(BaseModel):
    """A completed pre-visit form: it opens a case for the patient."""

    model_config = ConfigDict(extra="forbid")

    patient_id: uuid.UUID
    history: PreVisitHistory


class ExamSubmission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    findings: ExamFindings


class ExamRecorded(BaseModel):
    case_id: uuid.UUID
    exam_id: uuid.UUID
    findings_recorded: int


class DecisionPublic(BaseModel):
    id: uuid.UUID
    source: str
    trigger: str
    author_id: str | None
    queue: str
    imaging_modality: str | None
    urgency: str
    needs_clinician_review: bool
    ruleset_version: str
    ruleset_hash: str
    decided_at: datetime
    outcome: dict[str, Any]


class DecisionSummary(BaseModel):
    id: uuid.UUID
    source: str
    trigger: str
    queue: str
    imaging_modality: str | None
    urgency: str
    decided_at: datetime


class CaseNoteView(BaseModel):
    id: uuid.UUID
    author_id: str
    text: str
    created_at: datetime


class EngineSuggestion(BaseModel):
    """An engine decision the case's route did not follow (a clinician's route stands, or an
    urgent route is never lowered by the engine): a clinician decides. `reasons` are the
    rationales of the rules that fired."""

    decision_id: uuid.UUID
    trigger: str
    queue: str
    imaging_modality: str | None
    urgency: str
    reasons: list[str]
    decided_at: datetime


class QueuePlacement(BaseModel):
    queue: str
    imaging_modality: str | None
    urgency: str
    status: str
    business_status: str
    owner_id: str | None
    claimed_at: datetime | None
    previous_queue: str | None
    previous_urgency: str | None
    entered_at: datetime
    due_at: datetime


class CasePublic(BaseModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    status: str
    created_at: datetime
    updated_at: datetime


class CaseDetail(CasePublic):
    """The clinician's view: everything, including the engine's reasoning and its history.
    `decision` is the one the case's route comes from (a later engine decision may be waiting
    for the clinician, as `engine_suggestion`)."""

    view: Literal["clinician"] = "clinician"
    patient: PatientIdentity
    history: dict[str, Any] | None
    exam_findings: dict[str, Any]
    decision: DecisionPublic | None
    decision_history: list[DecisionSummary]
    queue_entry: QueuePlacement | None
    engine_suggestion: EngineSuggestion | None = None
    notes: list[CaseNoteView]


class CaseForFrontDesk(CasePublic):
    """What front-desk staff need to enter an exam: the history and findings, not the decision."""

    view: Literal["front_desk"] = "front_desk"
    patient: PatientIdentity
    history: dict[str, Any] | None
    exam_findings: dict[str, Any]


class NextSteps(BaseModel):
    queue: str
    urgency: str
    seek_care_now: bool
    care_advice: list[str]
    next_check_in_days: list[int]


class CaseForPatient(BaseModel):
    """What a patient sees of their own case: where it stands and what happens next."""

    view: Literal["patient"] = "patient"
    id: uuid.UUID
    status: str
    created_at: datetime
    next_steps: NextSteps | None
