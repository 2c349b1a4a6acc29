"""A clinician's case page: history, exam, decision and its history, notes, and the actions."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from services.intake.auth.permissions import Permission
from services.intake.auth.principal import Principal
from services.intake.cases import service as cases
from services.intake.cases.service import latest_history
from services.intake.cases.views import case_view
from services.intake.casework import service as casework
from services.intake.casework.schemas import Completion, NoteCreate, Override
from services.intake.cds_hooks.repository import feedback_on_case
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.errors import DomainError
from services.intake.pages.access import staff_page
from services.intake.pages.exam_form import GROUPS
from services.intake.pages.questions import STEPS
from services.intake.pages.recovery_chart import recovery_view
from services.intake.pages.rendering import render
from services.intake.patients.identity import record_identity_read
from shared.audit import record_audit
from shared.clock import utcnow

router = APIRouter(include_in_schema=False)
Clinician = Annotated[Principal, Depends(staff_page(Permission.WORK_QUEUES))]
DONE = {"claim": "You have claimed this case.", "release": "You have released this case.",
        "override": "Your route is recorded as a new decision.", "note": "Note added.",
        "complete": "The case is closed.",
        "acknowledge": "Alerts acknowledged: no more for this case until something new happens.",
        "exam": "Exam findings recorded; the case is being "
        "triaged again."}
EXAM_LABELS = {name: label for _title, fields in GROUPS for name, label in fields}


@router.get("/staff/cases/{case_id}")
async def case_page(case_id: uuid.UUID, request: Request, session: SessionDep,
                    clinician: Clinician, request_id: RequestIdDep, done: str | None = None):
    return await _page(request, session, clinician, request_id, case_id,
                       message=DONE.get(done or ""))


async def _page(request, session, clinician, request_id, case_id, message=None, error=None,
                form=None, status_code=200):
    case = await cases.get_case(session, case_id)
    view = await case_view(session, case, clinician)
    record_audit(session, clinician.actor, "read", "Case", case.id, patient_id=case.patient_id,
                 request_id=request_id)
    record_identity_read(session, clinician.actor, case.patient_id, request_id)
    owner = await casework.display_name(session, view.queue_entry.owner_id) \
        if view.queue_entry else None
    authors = {note.author_id for note in view.notes} | {d.author_id for d in [view.decision]
                                                          if d and d.author_id}
    names = {a: await casework.display_name(session, a.removeprefix("user:")) for a in authors
             if a.startswith("user:")}
    history = await latest_history(session, case.id) or {}
    open_alerts = await casework.open_alerts(session, case.id)
    ehr_feedback = await feedback_on_case(session, case.id)  # what the EHR's clinicians did
    recovery = await recovery_view(session, case.id)  # scores against the expected course
    return render(request, "case.html", status_code=status_code, principal=clinician,
                  language="en", view=view, history=history, owner=owner, names=names,
                  message=message, open_alerts=open_alerts, ehr_feedback=ehr_feedback,
                  recovery=recovery,
                  error=error, form=form or {}, steps=STEPS, exam_labels=EXAM_LABELS,
                  mine=view.queue_entry is not None
                  and view.queue_entry.owner_id == str(clinician.user_id))


async def _act(request: Request, session, clinician: Principal, request_id: str,
               case_id: uuid.UUID, action: str):
    form = await request.form()
    case = await cases.get_case(session, case_id)
    now = utcnow()
    try:
        if action == "claim":
            await casework.claim(session, case, clinician, now, request_id)
        elif action == "release":
            await casework.release(session, case, clinician, now, request_id)
        elif action == "override":
            data = Override(queue=form.get("queue"), urgency=form.get("urgency"),
                            imaging_modality=form.get("imaging_modality") or None
                            if form.get("queue") == "imaging" else None,
                            reason=str(form.get("reason", "")))
            await casework.override(session, case, data, clinician, now, request_id)
        elif action == "acknowledge":
            await casework.acknowledge(session, case, clinician, now, request_id)
        elif action == "note":
            await casework.add_note(session, case, NoteCreate(text=str(form.get("text", ""))).text,
                                    clinician, now, request_id)
        else:
            data = Completion(outcome=form.get("outcome"), note=form.get("note") or None)
            await casework.complete(session, case, data, clinician, now, request_id)
    except (DomainError, ValidationError) as problem:
        await session.rollback()
        return await _page(request, session, clinician, request_id, case_id,
                           error=_explain(problem, action), form=dict(form),
                           status_code=getattr(problem, "status_code", 422))
    return RedirectResponse(f"/staff/cases/{case_id}?done={action}",
                            status_code=status.HTTP_303_SEE_OTHER)


def _explain(problem: Exception, action: str) -> str:
    if isinstance(problem, DomainError):
        return problem.message
    first = problem.errors()[0]
    where = first["loc"][0] if first["loc"] else ""
    if action == "override" and where == "reason":
        return "Give a reason for the override (at least 10 characters)."
    if action == "note":
        return "Write the note before adding it."
    return f"Check the {where or 'form'}: {first['msg']}."


def _action_route(action: str):
    async def endpoint(case_id: uuid.UUID, request: Request, session: SessionDep,
                       clinician: Clinician, request_id: RequestIdDep):
        return await _act(request, session, clinician, request_id, case_id, action)

    endpoint.__name__ = f"case_{action}"
    router.post(f"/staff/cases/{{case_id}}/{action}")(endpoint)


for _action in ("claim", "release", "override", "note", "complete", "acknowledge"):
    _action_route(_action)
