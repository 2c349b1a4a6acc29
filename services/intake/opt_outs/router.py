"""A patient stops a channel: through the opt-out link in an email, or by replying STOP to an
SMS (the provider's webhook). After either, notify never uses that channel again."""

from __future__ import annotations

import hmac
from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field

from services.intake.dependencies import RequestIdDep, SessionDep
from shared import opt_outs
from shared.audit import Actor, record_audit
from shared.clock import utcnow
from shared.patient_links import InvalidLink, read_link

router = APIRouter(tags=["opt-out"])


class OptOutRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, Field(min_length=1, max_length=2000)]
    channel: Literal["email", "sms"]


class InboundSms(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_number: Annotated[str, Field(alias="from", min_length=3, max_length=32)]
    body: Annotated[str, Field(max_length=1600)]


class OptedOut(BaseModel):
    opted_out: int


@router.post("/opt-out", response_model=OptedOut,
             responses={401: {"description": "The link is not valid or has expired"}})
async def opt_out(data: OptOutRequest, request: Request, session: SessionDep,
                  request_id: RequestIdDep) -> OptedOut:
    """The signed link from a message; the token is the credential, so no sign-in."""
    try:
        link = read_link(request.app.state.settings.secret_key, data.token,
                         max_age=opt_outs.OPT_OUT_LINK_LIFETIME, now=utcnow())
    except InvalidLink as problem:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=str(problem)) from None
    if link.purpose != opt_outs.OPT_OUT_PURPOSE:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="this link is not valid")
    await session.execute(opt_outs.add_opt_out(link.patient_id, data.channel, "link", utcnow()))
    record_audit(session, Actor(id=f"patient:{link.patient_id}", role="patient"), "opt_out",
                 "Patient", link.patient_id, patient_id=link.patient_id, request_id=request_id)
    await session.commit()
    return OptedOut(opted_out=1)


@router.post("/sms/inbound", response_model=OptedOut,
             responses={401: {"description": "Wrong or missing webhook secret"}})
async def inbound_sms(data: InboundSms, request: Request, session: SessionDep,
                      request_id: RequestIdDep,
                      x_webhook_secret: Annotated[str | None, Header()] = None) -> OptedOut:
    """The SMS provider's webhook for replies; a stop word opts that number out of SMS."""
    expected = request.app.state.settings.sms_webhook_secret
    if not expected or not hmac.compare_digest(expected, x_webhook_secret or ""):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="webhook secret required")
    query = opt_outs.patients_with_phone(data.from_number)
    if not opt_outs.is_stop_reply(data.body) or query is None:
        return OptedOut(opted_out=0)
    patient_ids = list((await session.execute(query)).scalars())
    for patient_id in patient_ids:
        await session.execute(opt_outs.add_opt_out(patient_id, "sms", "sms_reply", utcnow()))
        record_audit(session, Actor(id="provider:sms", role="system"), "opt_out", "Patient",
                     patient_id, patient_id=patient_id, request_id=request_id)
    await session.commit()
    return OptedOut(opted_out=len(patient_ids))
