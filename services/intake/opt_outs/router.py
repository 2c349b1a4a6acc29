"""A patient stops a channel: through the opt-out link in an email, or by replying STOP to an
SMS (the provider's webhook). After either, notify never uses that channel again.

The link in a message opens a confirmation page in the patient's language with one button
(GET changes nothing: mail scanners and link previews open links). Like every page a link
lands on, the first GET trades the token for a page session (pages/link_entry.py) and answers
303 to /opt-out?channel=…, so the page and its button carry no token; the button's POST is
authorised by that session and its CSRF token. The link's URL is also the email's
List-Unsubscribe header (RFC 8058): the mail client's own button POSTs
`List-Unsubscribe=One-Click` to it, with no cookies; the signed token in its query is the
credential. API clients POST JSON {token, channel}. A link withdrawn by staff, and a session
opened with one, stops nothing."""

from __future__ import annotations

import hmac
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlmodel import select

from services.intake.auth.link_sessions import link_of_page_token
from services.intake.auth.permissions import Permission
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.pages.access import PageRefused, patient_page
from services.intake.pages.link_entry import enter_with_link, link_refused
from services.intake.pages.rendering import catalogs, render
from shared import opt_outs
from shared.audit import Actor, record_audit
from shared.clock import utcnow
from shared.models import Patient
from shared.patient_links import InvalidLink, PatientLink

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


async def _opt_out_link(request: Request, token: str) -> PatientLink:
    """An opt-out link (they live a year), unaltered and not withdrawn; else InvalidLink."""
    link = await link_of_page_token(request, token)
    if link.purpose != opt_outs.OPT_OUT_PURPOSE:
        raise InvalidLink("this link is not valid")
    return link


async def _one_click_link(request: Request, token: str) -> PatientLink:
    try:
        return await _opt_out_link(request, token)
    except InvalidLink as problem:
        raise link_refused(problem) from None


async def _session_link(request: Request) -> PatientLink:
    """The opt-out link whose page session this browser holds (on a POST, with its CSRF
    token: patient_page checks it)."""
    link = (await patient_page(Permission.OPT_OUT)(request)).link
    if link is None or link.purpose != opt_outs.OPT_OUT_PURPOSE:
        raise PageRefused(status.HTTP_401_UNAUTHORIZED, "error.link_needed")
    return link


async def _opt_out(session, link: PatientLink, channel: str, request_id: str) -> None:
    await session.execute(opt_outs.add_opt_out(link.patient_id, channel, "link", utcnow()))
    record_audit(session, Actor(id=f"patient:{link.patient_id}", role="patient"), "opt_out",
                 "Patient", link.patient_id, patient_id=link.patient_id, request_id=request_id)


async def _patients_language(session, patient_id: uuid.UUID) -> str | None:
    """The patient's own language if the pages speak it ("es-MX" is "es"), else None (then
    the browser's)."""
    preferred = (await session.execute(
        select(Patient.preferred_language).where(Patient.id == patient_id))).scalar()
    for candidate in (preferred, (preferred or "").split("-")[0]):
        if candidate in catalogs():
            return candidate
    return None


def _channel(value: object) -> str:
    return value if value in opt_outs.CHANNELS else "email"


@router.get("/opt-out", include_in_schema=False)
async def opt_out_page(request: Request, session: SessionDep, token: str | None = None,
                       channel: str | None = None):
    """The confirmation page: what stops, and one button that stops it."""
    if token:
        return await enter_with_link(request, token, channel=_channel(channel))
    link = await _session_link(request)
    return render(request, "opt_out.html", language=await _patients_language(
        session, link.patient_id), channel=_channel(channel))


# A form: a mail client's one-click POST (the token in the query) or the page's button.
ONE_CLICK_FORM = {"type": "object", "properties": {
    "List-Unsubscribe": {"type": "string", "enum": ["One-Click"]},
    "csrf_token": {"type": "string"}, "channel": {"type": "string", "enum": ["email", "sms"]}}}


@router.post("/opt-out", response_model=OptedOut,
             responses={401: {"description": "The link is not valid or has expired"}},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": OptOutRequest.model_json_schema()},
                 "application/x-www-form-urlencoded": {"schema": ONE_CLICK_FORM}}}})
async def opt_out(request: Request, session: SessionDep, request_id: RequestIdDep,
                  token: str | None = None, channel: str | None = None):
    """The signed link from a message; the token is the credential, so no sign-in. JSON
    {token, channel} answers JSON; a form answers the page: a mail client's RFC 8058 one-click
    POST to the link (token and channel in its query, no cookies), or the confirmation page's
    button (the page session and its CSRF token, the channel in the form)."""
    if "json" in request.headers.get("content-type", ""):
        return await _opt_out_json(request, session, request_id)
    form = await request.form()
    link = await (_one_click_link(request, token) if token else _session_link(request))
    chosen = _channel(channel or form.get("channel"))
    await _opt_out(session, link, chosen, request_id)
    return render(request, "opt_out_done.html", channel=chosen,
                  language=await _patients_language(session, link.patient_id))


async def _opt_out_json(request: Request, session, request_id: str) -> OptedOut:
    try:
        data = OptOutRequest.model_validate_json(await request.body())
    except ValidationError as invalid:
        raise RequestValidationError(invalid.errors(include_input=False)) from None
    try:
        link = await _opt_out_link(request, data.token)
    except InvalidLink as problem:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=str(problem)) from None
    await _opt_out(session, link, data.channel, request_id)
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
    return OptedOut(opted_out=len(patient_ids))
