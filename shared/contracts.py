"""Messages that cross a service boundary, and the stored decision every service reads.

Commands are imperative (TriageCase), events past tense (CaseRouted). Each carries ids only:
never names, history or findings, because broker messages are not a place for patient data.
Each is versioned; a consumer rejects a version it does not understand.
"""

from __future__ import annotations

import uuid
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from shared.routing import Modality, Queue, Urgency


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


class ReplayRuleSet(Message):
    """Command: run the what-if replay a clinical lead or an admin asked for on the governance
    page (`replay_id` names the stored request: the rule set to replay, who asked) and store
    its report."""

    task_name: ClassVar[str] = "triage.rules.replay"
    queue: ClassVar[str] = "triage"
    replay_id: uuid.UUID


MESSAGE_TYPES: dict[str, type[Message]] = {
    m.task_name: m for m in (TriageCase, CaseRouted, CaseEscalated, RecoveryBehind,
                                CaseClosed, ReplayRuleSet)
}


class _Stored(BaseModel):
    # Decisions are kept for years: a reader ignores what it does not know (1.3.0 decisions
    # carry an empty "extra") rather than failing on an old row.
    model_config = ConfigDict(extra="ignore", frozen=True)


class StoredCitation(_Stored):
    source: str
    detail: str = ""


class StoredRule(_Stored):
    rule_id: str
    rationale: str
    sources: tuple[StoredCitation, ...] = ()
    findings: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


class StoredCondition(_Stored):
    condition: str
    supporting: tuple[str, ...] = ()
    against: tuple[str, ...] = ()


class StoredFollowUpStep(_Stored):
    after_days: int
    purpose: str
    kind: str = "check_in"  # staff_alert steps are for the clinician on duty, not the patient


class ClinicianOverride(_Stored):
    reason: str
    by: str  # the clinician's actor id
    replaces_decision_id: uuid.UUID | None = None


class DecisionOutcome(_Stored):
    """`triage_decisions.outcome` as stored: the engine's Decision (services/triage/engine/
    decision.py, whose to_dict writes it; a unit test keeps the two in step), or a clinician's
    route with the engine's reasoning it replaced and the override. Intake and notify read it
    through this model, never by key."""

    queue: Queue
    urgency: Urgency
    imaging_modality: Modality | None = None
    conditions: tuple[StoredCondition, ...] = ()
    rules_fired: tuple[StoredRule, ...] = ()
    care_advice: tuple[str, ...] = ()
    follow_up_plan: tuple[StoredFollowUpStep, ...] = ()
    missing_information: tuple[str, ...] = ()
    needs_clinician_review: bool = False
    emergency_override: bool = False
    also_indicated: tuple[str, ...] = ()
    urgency_reason: str = ""
    ruleset_version: str = ""
    ruleset_hash: str = ""
    override: ClinicianOverride | None = None
