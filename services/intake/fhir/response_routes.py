"""/fhir/QuestionnaireResponse: completed pre-visit forms and saved drafts, read, searched,
created and completed (a completed form opens a case as POST /cases does)."""

from __future__ import annotations

import uuid

from fastapi import Request, Response, status
from fhirclient.models.questionnaireresponse import QuestionnaireResponse

from services.intake.auth.permissions import Permission
from services.intake.auth.principal import Principal
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.errors import Conflict, InvalidReference, NotFound
from services.intake.fhir import questionnaire_responses as responses
from services.intake.fhir import service
from services.intake.fhir.access import reading
from services.intake.fhir.api import Submitter, criteria_of, existing_match, parse_id, router
from services.intake.fhir.capability import interaction
from services.intake.fhir.model import fhir_response, read_resource
from services.intake.fhir.outcomes import BadRequest, PreconditionFailed, Unprocessable
from services.intake.fhir.questionnaire_responses import response_of, responses_bundle
from services.intake.fhir.search import SearchParameter, parse_search, resource_url
from services.intake.patients import service as patients
from shared.audit import Entity, record_audit, record_list_read
from shared.clinical_record import QUESTIONNAIRE_ID, QUESTIONNAIRE_VERSION

RESPONSE_SEARCH = (
    SearchParameter("_id", "token", "The response's id"),
    SearchParameter("patient", "reference", "The patient the answers are about"),
    SearchParameter("questionnaire", "reference", "The questionnaire: its URL, URL|version "
                    "or id"),
    SearchParameter("status", "token", "completed, or in-progress for saved drafts"),
    SearchParameter("authored", "date", "When answered (a draft: last saved); eq, gt, ge, lt, "
                    "le"),
    SearchParameter("identifier", "token", "The identifier the client gave the response"),
)

@router.get("/QuestionnaireResponse/{response_id}",
            openapi_extra=interaction("QuestionnaireResponse", "read"))
async def read_response(
        response_id: str, session: SessionDep, request_id: RequestIdDep,
        principal: reading("QuestionnaireResponse", "read", Permission.READ_CASE)) -> Response:
    stored = await _visible_response(session, principal, response_id)
    record_audit(session, principal.actor, "read", "QuestionnaireResponse", stored.id,
                 patient_id=stored.patient_id, request_id=request_id)
    return fhir_response(response_of(stored))


@router.get("/QuestionnaireResponse",
            openapi_extra=interaction("QuestionnaireResponse", "search-type",
                                      search=RESPONSE_SEARCH))
async def search_responses(
        request: Request, session: SessionDep, request_id: RequestIdDep,
        principal: reading("QuestionnaireResponse", "search-type", Permission.READ_CASE)
) -> Response:
    search = parse_search(request, RESPONSE_SEARCH)
    found, total = await service.search_responses(session, search, principal,
                                                  _questionnaire_filter)
    record_list_read(session, principal.actor, "fhir/QuestionnaireResponse",
                     [Entity("QuestionnaireResponse", r.id, r.patient_id) for r in found],
                     request_id=request_id)
    return fhir_response(responses_bundle(request, search.page, total, found))


@router.post("/QuestionnaireResponse",
             openapi_extra=interaction("QuestionnaireResponse", "create",
                                       conditional_create=True))
async def create_response(request: Request, session: SessionDep, principal: Submitter,
                          request_id: RequestIdDep) -> Response:
    """`completed` opens a case exactly as POST /cases does; `in-progress` saves a draft."""
    resource = await read_resource(request, QuestionnaireResponse)
    patient_id = _subject(resource, principal)
    if (criteria := request.headers.get("if-none-exist")) is not None:
        search = parse_search(request, RESPONSE_SEARCH, criteria_of(criteria))
        found, total = await service.search_responses(session, search, principal,
                                                      _questionnaire_filter)
        if total:
            return await existing_match(session, principal, request_id, total, lambda: (
                response_of(found[0]), found[0].id, "QuestionnaireResponse",
                found[0].patient_id))
    if resource.status == service.IN_PROGRESS:
        draft = await _save_draft(session, principal, resource, patient_id, request_id)
        response_id = draft.id
    else:
        response_id = await _submit(session, request_id, principal, resource, patient_id, None,
                                    criteria is not None)
    stored = await service.get_response(session, response_id)
    return fhir_response(response_of(stored), status.HTTP_201_CREATED,
                         {"Location": resource_url(request, "QuestionnaireResponse",
                                                   response_id)})


@router.put("/QuestionnaireResponse/{response_id}",
            openapi_extra=interaction("QuestionnaireResponse", "update"))
async def update_response(response_id: str, request: Request, session: SessionDep,
                          principal: Submitter, request_id: RequestIdDep) -> Response:
    """Saves a draft again (`in-progress`), or completes it (`completed`: the case opens as
    POST /cases opens it, and the response keeps the draft's id). Sent forms are final."""
    stored = await _visible_response(session, principal, response_id)
    resource = await read_resource(request, QuestionnaireResponse)
    if resource.id != str(stored.id):
        raise BadRequest("the resource's id must be the id in the URL",
                         field="QuestionnaireResponse.id")
    if stored.status != service.IN_PROGRESS:
        raise Conflict("this response was sent and is final; send a new one",
                       field="QuestionnaireResponse.status")
    patient_id = _subject(resource, principal)
    if patient_id != stored.patient_id:
        raise Unprocessable("a draft stays with its patient", field="QuestionnaireResponse.subject")
    if resource.status == service.IN_PROGRESS:
        draft = await service.get_draft(session, stored.id)
        await _save_draft(session, principal, resource, patient_id, request_id, draft)
    else:
        await _submit(session, request_id, principal, resource, patient_id, stored.id, False)
    return fhir_response(response_of(await service.get_response(session, stored.id)))


async def _visible_response(session, principal: Principal, response_id: str):
    stored = await service.get_response(session, parse_id(response_id)) \
        if parse_id(response_id) else None
    if stored is None or (principal.is_patient and principal.patient_id != stored.patient_id):
        raise NotFound(f"no QuestionnaireResponse with id {response_id[:64]}",
                       field="QuestionnaireResponse.id")
    return stored


def _questionnaire_filter(value: str) -> tuple[str, str | None] | None:
    definition, version = responses.definition_of(value)
    return (definition.id, version) if definition else None


def _subject(resource: QuestionnaireResponse, principal: Principal) -> uuid.UUID:
    reference = resource.subject.reference if resource.subject else None
    kind, _, given = (reference or "").rpartition("/")
    patient_id = parse_id(given) if kind.endswith("Patient") else None
    if patient_id is None:
        raise Unprocessable("subject must reference the Patient the answers are about",
                            field="QuestionnaireResponse.subject")
    if principal.is_patient and principal.patient_id != patient_id:
        # Answered exactly like an unknown patient, as POST /cases answers it.
        raise InvalidReference(f"no patient with id {patient_id}", field="body.patient_id")
    return patient_id


def _pre_visit(resource: QuestionnaireResponse):
    definition, version = responses.definition_of(resource.questionnaire)
    if definition is None or definition.id != QUESTIONNAIRE_ID or \
            version not in (None, QUESTIONNAIRE_VERSION):
        raise Unprocessable(
            f"this server takes answers to {QUESTIONNAIRE_ID} {QUESTIONNAIRE_VERSION} "
            f"(Questionnaire/{QUESTIONNAIRE_ID}); check-ins are answered through "
            "POST /check-ins", field="QuestionnaireResponse.questionnaire")
    return definition


async def _save_draft(session, principal: Principal, resource: QuestionnaireResponse,
                      patient_id: uuid.UUID, request_id: str, draft=None):
    definition = _pre_visit(resource)
    _answers, issues = responses.form_answers(definition, resource.item or [])
    if issues:
        raise Unprocessable.with_issues(issues)
    if await patients.get_patient(session, patient_id) is None:
        raise InvalidReference(f"no patient with id {patient_id}", field="body.patient_id")
    saved = await service.save_draft(
        session, principal, patient_id, (definition.id, definition.version),
        [item.as_json() for item in resource.item or []], draft)
    record_audit(session, principal.actor, "update" if draft else "create",
                 "QuestionnaireResponse", saved.id, patient_id=patient_id, request_id=request_id)
    return saved


async def _submit(session, request_id: str, principal: Principal,
                  resource: QuestionnaireResponse, patient_id: uuid.UUID,
                  draft_id: uuid.UUID | None, conditional: bool) -> uuid.UUID:
    if resource.status != service.COMPLETED:
        raise Unprocessable("status must be completed (send the form) or in-progress (save a "
                            "draft)", field="QuestionnaireResponse.status")
    definition = _pre_visit(resource)
    answers, issues = responses.form_answers(definition, resource.item or [])
    history, problems = responses.pre_visit_history(definition, answers) if not issues \
        else (None, [])
    if issues or problems:
        raise Unprocessable.with_issues(issues + problems)
    identifier = resource.identifier
    given = (identifier.system or "", identifier.value) if identifier and identifier.value \
        else None
    try:
        return await service.submit(session, request_id, principal, patient_id, history, given,
                                    draft_id)
    except service.IdentifierTaken:
        if conditional:  # a twin with the same criteria committed first: its answer
            raise PreconditionFailed("a response with this identifier was just created; "
                                     "retry to read it", field="QuestionnaireResponse.identifier"
                                     ) from None
        raise Conflict("a QuestionnaireResponse with this identifier exists",
                       field="QuestionnaireResponse.identifier") from None
