"""The patient's follow-up check-in, opened from the link in a reminder. A link answers once:
opened again it shows the answer given and how to reach the clinic."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from pydantic import ValidationError

from services.intake.auth.permissions import Permission
from services.intake.auth.principal import Principal
from services.intake.check_ins import service
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.pages.access import patient_page
from services.intake.pages.check_in_scores import SCORE_CHOICES, score_answers
from services.intake.pages.link_entry import enter_with_link
from services.intake.pages.rendering import render
from shared.audit import record_audit
from shared.clinical_record import CheckInAnswers, NewSymptom, Trend

router = APIRouter(include_in_schema=False)
check_in_page_session = patient_page(Permission.ANSWER_CHECK_IN)
Patient = Annotated[Principal, Depends(check_in_page_session)]
CHOICES = {"trends": [t.value for t in Trend], "symptoms": [s.value for s in NewSymptom],
           **SCORE_CHOICES}


@router.get("/check-in")
async def check_in_page(request: Request, session: SessionDep, token: str | None = None):
    if token:
        return await enter_with_link(request, token)
    patient = await check_in_page_session(request)
    link = await service.case_of_link(session, patient)  # not a check-in link: 404 page
    given = await service.given_answer(session, link)
    if given is not None:
        return _answered(request, given)
    return render(request, "check_in.html", answers={}, errors={}, **CHOICES)


@router.post("/check-in")
async def submit_check_in(request: Request, session: SessionDep, patient: Patient,
                          request_id: RequestIdDep):
    link = await service.case_of_link(session, patient)
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
            notes=(answers.get("notes") or [""])[0].strip() or None,
            **score_answers(answers))
    except (ValidationError, ValueError) as invalid:
        fields = {str(e["loc"][0]) for e in invalid.errors()} \
            if isinstance(invalid, ValidationError) else {"improvement_percent"}
        return render(request, "check_in.html", status_code=status.HTTP_422_UNPROCESSABLE_ENTITY,
                      answers=answers, errors={f: "error.required" if f == "trend"
                                               else "error.invalid" for f in fields}, **CHOICES)
    try:
        await service.record_check_in(session, link, check_in, contact=service.how_to_reach_the_clinic(
            request.app.state.settings.contact_phone))
    except service.AlreadyAnswered as refused:  # a second tab, the back button, a resend
        return _answered(request, refused.given, status.HTTP_409_CONFLICT)
    record_audit(session, patient.actor, "create", "QuestionnaireResponse", link.case.id,
                 patient_id=link.case.patient_id, request_id=request_id)
    return render(request, "check_in_done.html", seek_care_now=service.seek_care_now(check_in),
                  trend=check_in.trend.value)


def _answered(request: Request, given: service.GivenAnswer, status_code: int = 200):
    return render(request, "check_in_answered.html", status_code=status_code,
                  given=given.answers, answered_on=given.authored_at.strftime("%d/%m/%Y %H:%M"),
                  function_items=SCORE_CHOICES["function_items"],
                  phone=request.app.state.settings.contact_phone)
