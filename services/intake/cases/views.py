"""Shapes a case for the role reading it: each role gets only the fields it needs."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

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
    NextSteps,
    QueuePlacement,
)
from services.intake.casework import service as casework
from shared.models import Case, Role, TriageDecision

CaseView = CaseDetail | CaseForFrontDesk | CaseForPatient


async def case_view(session: AsyncSession, case: Case, principal: Principal) -> CaseView:
    if principal.role == Role.PATIENT:
        decisions = await service.decisions(session, case.id)
        return CaseForPatient(id=case.id, status=case.status, created_at=case.created_at,
                              next_steps=_next_steps(decisions[0]) if decisions else None)
    base = CasePublic.model_validate(case, from_attributes=True).model_dump()
    history = await service.latest_history(session, case.id)
    findings = await service.current_exam_findings(session, case.id)
    if principal.role == Role.FRONT_DESK:
        return CaseForFrontDesk(**base, history=history, exam_findings=findings)
    decisions = await service.decisions(session, case.id)
    entry = await service.queue_entry(session, case.id)
    return CaseDetail(
        **base, history=history, exam_findings=findings,
        decision=DecisionPublic.model_validate(decisions[0], from_attributes=True)
        if decisions else None,
        decision_history=[DecisionSummary.model_validate(d, from_attributes=True)
                          for d in decisions],
        queue_entry=QueuePlacement.model_validate(entry, from_attributes=True) if entry else None,
        notes=[CaseNoteView.model_validate(n, from_attributes=True)
               for n in await casework.notes(session, case.id)],
    )


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
