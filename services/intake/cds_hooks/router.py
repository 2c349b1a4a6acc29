"""/cds-services: CDS Hooks 2.0 discovery, the services, and feedback; thin routes.

Their contract is the CDS Hooks specification (schemas.py), not this API's OpenAPI document,
so they are left out of it. Every call, discovery included, carries the EHR's signed JWT
(auth.py). Errors answer JSON `{"detail": ...}`: 400 malformed, 401 not trusted, 404 no such
service, 412 data neither prefetched nor fetchable, 503 the replay store not answering.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from pydantic import ValidationError

from services.intake.cds_hooks import auth, service
from services.intake.cds_hooks.cards import EVIDENCE_FOLDER, EVIDENCE_PATH
from services.intake.cds_hooks.feedback import record_feedback
from services.intake.cds_hooks.prefetch import DataUnavailable
from services.intake.cds_hooks.schemas import Feedback
from services.intake.dependencies import RequestIdDep, SessionDep
from shared.clock import utcnow

router = APIRouter(prefix="/cds-services", include_in_schema=False)
evidence_router = APIRouter(include_in_schema=False)
STATUS = {auth.Unauthorized: 401, service.UnknownService: 404, service.BadRequest: 400,
          DataUnavailable: 412, auth.ReplayStoreUnavailable: 503}


def _refusal(error: Exception) -> JSONResponse:
    status_code = STATUS[type(error)]
    headers = {"WWW-Authenticate": "Bearer"} if status_code == 401 else None
    message = str(error) or "the replay store is not answering; try again in a moment"
    return JSONResponse({"detail": message}, status_code=status_code, headers=headers)


async def _body(request: Request) -> object:
    try:
        return json.loads(await request.body())
    except ValueError:
        raise service.BadRequest("the body is not JSON") from None


@router.get("")
async def discovery(request: Request) -> Response:
    try:
        await auth.authenticate(request, "/cds-services")
    except tuple(STATUS) as refused:
        return _refusal(refused)
    return JSONResponse(service.discovery().model_dump(mode="json", exclude_none=True))


@router.post("/{service_id}")
async def call_service(service_id: str, request: Request, session: SessionDep,
                       request_id: RequestIdDep) -> Response:
    try:
        caller = await auth.authenticate(request, f"/cds-services/{service_id}")
        chosen = service.service_of(service_id)
        hook, context = service.parse_call(chosen, await _body(request))
        settings = request.app.state.settings
        answer = await service.answer(session, service.Call(
            chosen, hook, context, caller,
            base=(settings.cds_hooks_base_url or settings.public_url).rstrip("/"),
            now=utcnow(), timeout=settings.cds_fetch_timeout_seconds, request_id=request_id))
    except tuple(STATUS) as refused:
        return _refusal(refused)
    return JSONResponse(answer.model_dump(mode="json", exclude_none=True))


@router.post("/{service_id}/feedback")
async def feedback(service_id: str, request: Request, session: SessionDep,
                   request_id: RequestIdDep) -> Response:
    try:
        caller = await auth.authenticate(request, f"/cds-services/{service_id}/feedback")
        service.service_of(service_id)
        try:
            given = Feedback.model_validate(await _body(request))
        except ValidationError as invalid:
            raise service.BadRequest(service.where(invalid, "feedback")) from None
        await record_feedback(session, service_id, given, caller, None, request_id)
    except tuple(STATUS) as refused:
        return _refusal(refused)
    return Response(status_code=200)


@evidence_router.get(EVIDENCE_PATH + "/{name}")
async def evidence_page(name: str) -> Response:
    """The clinical evidence pages a card cites (docs/clinical), as Markdown; no patient
    data, so public like the CapabilityStatement."""
    pages = {page.name: page for page in EVIDENCE_FOLDER.glob("*.md")}
    if name not in pages:
        return JSONResponse({"detail": "no such evidence page"}, status_code=404)
    return FileResponse(pages[name], media_type="text/markdown; charset=utf-8")
