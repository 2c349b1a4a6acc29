"""The patient's follow-up check-in, opened from the link in a reminder."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from pydantic import ValidationError

from services.intake.auth.principal import Principal
from services.intake.check_ins import service
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.pages.access import patient_page
from services.intake.pages.patient_form import enter_with_link
from services.intake.pages.rendering import render
from shared.audit import record_audit
from shared.clinical_record import CheckInAnswers, NewSymptom, Trend

router = APIRouter(include_in_schema=False)
Patient = Annotated[Principal, Depends(patient_page)]
CHOICES = {"trends": [t.value for t in Trend], "symptoms": [s.value for s in NewSymptom]}


@router.get("/check-in")
async def check_in_page(request: Request, session: SessionDep, token: str | None = None):
    if token:
        return enter_with_link(request, token, "/check-in")
    patient = await patient_page(request)
    await service.case_of_link(session, patient)  # a link that is not a check-in: 404 page
    return render(request, "check_in.html", answers={}, errors={}, **CHOICES)


@router.post("/check-in")
async def submit_check_in(request: Request, session: SessionDep, patient: Patient,
                          request_id: RequestIdDep):
    case = await service.case_of_link(session, patient)
    form = await request.form()
    answers = {key: [str(v) for v in form.getlist(key)] for key in form}
    try:
        followed = (answers.get("followed_advice") or [""])[0]
        percent = (answers.get("improvement_percent") or [""])[0].strip()
        check_in = CheckInAnswers(
            trend=(answers.get("trend") or [""])[0],
            improvement_percent=int(percent) if percent else None,
            new_symptoms=answers.get("new_symptoms", []),
            followed_advice={"yes": True, "no": False}.get(followed),
            notes=(answers.get("notes") or [""])[0].strip() or None)
    except (ValidationError, ValueError) as invalid:
        fields = {str(e["loc"][0]) for e in invalid.errors()} \
            if isinstance(invalid, ValidationError) else {"improvement_percent"}
        return render(request, "check_in.html", status_code=status.HTTP_422_UNPROCESSABLE_ENTITY,
                      answers=answers, errors={f: "error.required" if f == "trend"
                                               else "error.invalid" for f in fields}, **CHOICES)
    await service.record_check_in(session, case, check_in)
    record_audit(session, patient.actor, "create", "QuestionnaireResponse", case.id,
                 patient_id=case.patient_id, request_id=request_id)
    await session.commit()
    return render(request, "check_in_done.html", seek_care_now=service.seek_care_now(check_in),
                  trend=check_in.trend.value)
