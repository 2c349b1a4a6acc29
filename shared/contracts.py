"""Messages that cross a service boundary. Nothing else does.

Commands are imperative (TriageCase), events past tense (CaseRouted). Each carries ids only:
never names, history or findings, because broker messages are not a place for patient data.
Each is versioned; a consumer rejects a version it does not understand.
"""

from __future__ import annotations

import uuid
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    task_name: ClassVar[str]
    queue: ClassVar[str]
    version: Literal[1] = 1
    message_id: uuid.UUID


class TriageCase(Message):
    """Command: evaluate a case with the clinical rules and route it."""

    task_name: ClassVar[str] = "triage.cases.evaluate"
    queue: ClassVar[str] = "triage"
    case_id: uuid.UUID
    reason: Literal["intake_submitted", "exam_recorded", "follow_up_answered", "sweep"]


class CaseRouted(Message):
    """Event: the triage engine stored a decision and put the case on a queue."""

    task_name: ClassVar[str] = "notify.cases.routed"
    queue: ClassVar[str] = "notify"
    case_id: uuid.UUID
    decision_id: uuid.UUID


class CaseEscalated(Message):
    """Event: a re-triage found the case needs more than the route it keeps (a clinician's
    route, or an urgent route the engine may not lower); the clinician decides. `decision_id`
    is the engine's new decision, stored but not placed."""

    task_name: ClassVar[str] = "notify.cases.escalated"
    queue: ClassVar[str] = "notify"
    case_id: uuid.UUID
    decision_id: uuid.UUID


class RecoveryBehind(Message):
    """Event: a check-in's scores fall behind the expected course of recovery
    (shared/recovery.py); the case's clinician is alerted, not the patient. `decision_id` is
    the re-triage that found it."""

    task_name: ClassVar[str] = "notify.cases.recovery_behind"
    queue: ClassVar[str] = "notify"
    case_id: uuid.UUID
    decision_id: uuid.UUID


class CaseClosed(Message):
    """Event: a clinician completed or discharged the case; its open reminders stop."""

    task_name: ClassVar[str] = "notify.cases.closed"
    queue: ClassVar[str] = "notify"
    case_id: uuid.UUID


MESSAGE_TYPES: dict[str, type[Message]] = {
    m.task_name: m for m in (TriageCase, CaseRouted, CaseEscalated, RecoveryBehind,
                                CaseClosed)
}
