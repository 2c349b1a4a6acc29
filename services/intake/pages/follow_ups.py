"""Staff view of reminders: what is coming up and what never reached the patient (read-only).

Clinicians and admins may open it, like the dead-letters list: it holds ids, dates, purposes
and reason codes, no clinical detail, and each row names its patient (two-identifier rule), so
staff who phone a patient whose reminder failed know they have the right person."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlmodel import col, select

from services.intake.auth.permissions import Permission, is_granted
from services.intake.auth.principal import Principal
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.pages.access import staff_page
from services.intake.pages.rendering import render
from services.intake.patients.identity import identities, identity_entities
from shared.audit import Entity, record_list_read
from shared.failed_deliveries import failed_deliveries
from shared.models import Case, FollowUp, FollowUpStatus

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(staff_page(Permission.READ_FOLLOW_UPS))]
LIMIT = 100
FOLLOW_UPS_LIST = "staff/follow-ups"  # the list the audit trail names for a view


@router.get("/staff/follow-ups")
async def follow_ups_page(request: Request, session: SessionDep, staff: Reader,
                          request_id: RequestIdDep):
    upcoming = (await session.exec(
        select(FollowUp, Case.patient_id).join(Case, col(Case.id) == col(FollowUp.case_id))
        .where(FollowUp.status == FollowUpStatus.SCHEDULED)
        .order_by(col(FollowUp.due_at)).limit(LIMIT))).all()
    failed = await session.run_sync(lambda sync: failed_deliveries(sync, LIMIT))
    owners = {f.case_id: p for f, p in upcoming} | {row.case_id: row.patient_id for row in failed}
    # One audit event for the view, naming every follow-up it showed and every patient it named.
    record_list_read(session, staff.actor, FOLLOW_UPS_LIST, [
        *(Entity("FollowUp", f.id, p) for f, p in upcoming),
        *(Entity("FollowUp", row.follow_up_id, row.patient_id) for row in failed),
        *identity_entities(owners.values())], request_id=request_id)
    people = await identities(session, owners.values())
    return render(request, "follow_ups.html", principal=staff, language="en",
                  upcoming=[f for f, _p in upcoming], failed=failed,
                  patient_of_case={case_id: people.get(p) for case_id, p in owners.items()},
                  may_open_cases=is_granted(staff.role, Permission.WORK_QUEUES))
