"""Shapes a case for its reader: a patient reads the next steps of their own case; staff read
the case with the patient's identity, history and exam findings, and its triage decisions when
the permission table grants them READ_DECISIONS (auth/permissions.py: clinicians). Staff views
carry the patient's identity: the reader audits that read (record_identity_read)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.auth.permissions import Permission, is_granted
from services.intake.auth.principal import Principal
from services.intake.cases import service
from services.intake.cases.schemas import (
    CaseDetail,
    CaseForFrontDesk,
    CaseForPatient,
    CaseNoteView,
    CasePublic,
    DecisionPublic,
    DecisionSummary,
    EngineSuggestion,
    NextSteps,
    QueuePlacement,
)
from services.intake.casework import service as casework
from services.intake.patients.identity import identity_of
from shared.models import Case, Patient, QueueEntry, TriageDecision

CaseView = CaseDetail | CaseForFrontDesk | CaseForPatient


async def case_view(session: AsyncSession, case: Case, principal: Principal) -> CaseView:
    reads_decisions = is_granted(principal.role, Permission.READ_DECISIONS)
    decisions = await service.decisions(session, case.id) \
        if reads_decisions or principal.is_patient else []
    entry = await service.queue_entry(session, case.id)
    current = _current(decisions, entry)
    if principal.is_patient:
        # The route the case is on, not a later engine decision awaiting a clinician.
        return CaseForPatient(id=case.id, status=case.status, created_at=case.created_at,
                              next_steps=_next_steps(current) if current else None)
    base = CasePublic.model_validate(case, from_attributes=True).model_dump()
    patient = identity_of(await session.get(Patient, case.patient_id))
    history = await service.latest_history(session, case.id)
    findings = await service.current_exam_findings(session, case.id)
    if not reads_decisions:
        return CaseForFrontDesk(**base, patient=patient, history=history, exam_findings=findings)
    return CaseDetail(
        **base, patient=patient, history=history, exam_findings=findings,
        decision=DecisionPublic.model_validate(current, from_attributes=True)
        if current else None,
        decision_history=[DecisionSummary.model_validate(d, from_attributes=True)
                          for d in decisions],
        queue_entry=QueuePlacement.model_validate(entry, from_attributes=True) if entry else None,
        engine_suggestion=_suggestion(decisions, entry),
        notes=[CaseNoteView.model_validate(n, from_attributes=True)
               for n in await casework.notes(session, case.id)],
    )


def _current(decisions: list[TriageDecision],
             entry: QueueEntry | None) -> TriageDecision | None:
    """The decision the case's route comes from: the queue entry's, or before the case is on
    a queue the latest (decisions are newest first)."""
    if entry is not None:
        placed = next((d for d in decisions if d.id == entry.decision_id), None)
        if placed is not None:
            return placed
    return decisions[0] if decisions else None


def _suggestion(decisions: list[TriageDecision],
                entry: QueueEntry | None) -> EngineSuggestion | None:
    if entry is None or entry.review_decision_id is None:
        return None
    held = next((d for d in decisions if d.id == entry.review_decision_id), None)
    if held is None:
        return None
    return EngineSuggestion(
        decision_id=held.id, trigger=held.trigger, queue=held.queue,
        imaging_modality=held.imaging_modality, urgency=held.urgency,
        reasons=[rule["rationale"] for rule in held.outcome.get("rules_fired", [])],
        decided_at=held.decided_at)


def _next_steps(decision: TriageDecision) -> NextSteps:
    outcome = decision.outcome
    return NextSteps(
        queue=decision.queue,
        urgency=decision.urgency,
        seek_care_now=decision.urgency == "emergency",
        care_advice=list(outcome.get("care_advice", [])),
        next_check_in_days=[step["after_days"] for step in outcome.get("follow_up_plan", [])
                            if step.get("kind", "check_in") != "staff_alert"],
    )
