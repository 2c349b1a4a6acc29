"""Staff view of reminders: what is coming up and what never reached the patient (read-only).

Clinicians and admins may open it, like the dead-letters list: it holds ids, dates, purposes
and reason codes, no clinical detail, and each row names its patient (two-identifier rule), so
staff who phone a patient whose reminder failed know they have the right person."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlmodel import col, select

from services.intake.auth.permissions import Permission
from services.intake.auth.principal import Principal
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.pages.access import staff_page
from services.intake.pages.rendering import render
from services.intake.patients.identity import identities, record_identity_read
from services.notify.repository import failed_deliveries
from shared.audit import record_audit
from shared.models import Case, FollowUp, FollowUpStatus, Role

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(staff_page(Permission.READ_FOLLOW_UPS))]
LIMIT = 100


@router.get("/staff/follow-ups")
async def follow_ups_page(request: Request, session: SessionDep, staff: Reader,
                          request_id: RequestIdDep):
    upcoming = (await session.exec(
        select(FollowUp, Case.patient_id).join(Case, col(Case.id) == col(FollowUp.case_id))
        .where(FollowUp.status == FollowUpStatus.SCHEDULED)
        .order_by(col(FollowUp.due_at)).limit(LIMIT))).all()
    failed = await session.run_sync(lambda sync: failed_deliveries(sync, LIMIT))
    owners = dict((await session.exec(select(Case.id, Case.patient_id).where(
        col(Case.id).in_([f.case_id for f in failed])))).all()) if failed else {}
    for follow_up, patient_id in upcoming:
        record_audit(session, staff.actor, "read", "FollowUp", follow_up.id,
                     patient_id=patient_id, request_id=request_id)
    for row in failed:
        record_audit(session, staff.actor, "read", "FollowUp", row.follow_up_id,
                     patient_id=owners.get(row.case_id), request_id=request_id)
    people = await identities(session, [*(p for _f, p in upcoming), *owners.values()])
    for patient_id in people:
        record_identity_read(session, staff.actor, patient_id, request_id)
    patient_of_case = {f.case_id: people.get(p) for f, p in upcoming} | {
        case_id: people.get(p) for case_id, p in owners.items()}
    return render(request, "follow_ups.html", principal=staff, language="en",
                  upcoming=[f for f, _p in upcoming], failed=failed,
                  patient_of_case=patient_of_case, may_open_cases=staff.role == Role.CLINICIAN)
