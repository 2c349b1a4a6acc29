"""/fhir: thin routes. Each parses, authorises (the REST API's permissions and object-level
checks), calls a service, audits and answers a typed resource; each declares its interaction
for the CapabilityStatement (capability.py)."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response, status
from fhirclient.models.parameters import Parameters
from fhirclient.models.patient import Patient as FhirPatient
from fhirclient.models.questionnaireresponse import QuestionnaireResponse

from services.intake.auth.dependencies import requires
from services.intake.auth.permissions import Permission
from services.intake.auth.principal import Principal
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.errors import Conflict, InvalidReference, NotFound
from services.intake.fhir import outbound, service
from services.intake.fhir import patients as patient_mapping
from services.intake.fhir import questionnaire_responses as responses
from services.intake.fhir.access import reading
from services.intake.fhir.canonical import questionnaire_url
from services.intake.fhir.capability import capability_statement, interaction
from services.intake.fhir.definitions import definitions
from services.intake.fhir.model import fhir_response, read_resource
from services.intake.fhir.outbound import PATIENT_READERS
from services.intake.fhir.outcomes import (
    BadRequest,
    FhirRoute,
    Issue,
    PreconditionFailed,
    Unprocessable,
    outcome_response,
)
from services.intake.fhir.patients import match_bundle, patient_resource
from services.intake.fhir.questionnaire_responses import response_of, responses_bundle
from services.intake.fhir.questionnaires import questionnaire
from services.intake.fhir.search import (
    SearchParameter,
    base_url,
    parse_search,
    resource_url,
    searchset,
)
from services.intake.patients import service as patients
from shared.audit import Entity, record_audit, record_list_read
from shared.clinical_record import QUESTIONNAIRE_ID, QUESTIONNAIRE_VERSION
from shared.models import Role

router = APIRouter(prefix="/fhir", tags=["fhir"], route_class=FhirRoute,
                   include_in_schema=False)  # its contract is the CapabilityStatement
EVERYONE = frozenset(Role)
Submitter = requires(Permission.SUBMIT_INTAKE)
FrontDesk = requires(Permission.CREATE_PATIENT)
CONFIRM_NOT_DUPLICATE = "X-Confirm-Not-Duplicate"

QUESTIONNAIRE_SEARCH = (
    SearchParameter("_id", "token", "The questionnaire's id: ankle-previsit, ankle-check-in, "
                    "ankle-exam"),
    SearchParameter("url", "uri", "The questionnaire's canonical URL"),
)
PATIENT_SEARCH = (
    SearchParameter("_id", "token", "The patient's id"),
    SearchParameter("identifier", "token", "The clinic's record number (MRN), system|value"),
    SearchParameter("name", "string", "Given or family name, starting with, any case"),
    SearchParameter("birthdate", "date", "Date of birth; eq, gt, ge, lt, le"),
    SearchParameter("gender", "token", "Administrative gender"),
    SearchParameter("telecom", "token", "Email or phone, exactly (email|… or phone|…)"),
)
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


@router.get("/metadata", openapi_extra=None)
async def metadata(request: Request) -> Response:
    """What this server implements; public, as FHIR clients read it before signing in."""
    return fhir_response(capability_statement(router, base_url(request), request.app.version))


# Questionnaire

@router.get("/Questionnaire/{questionnaire_id}",
            openapi_extra=interaction("Questionnaire", "read"))
async def read_questionnaire(
        questionnaire_id: str,
        _principal: reading("Questionnaire", "read", EVERYONE)) -> Response:
    if (definition := definitions().get(questionnaire_id)) is None:
        raise NotFound(f"no Questionnaire with id {questionnaire_id[:64]}",
                       field="Questionnaire.id")
    return fhir_response(questionnaire(definition))


@router.get("/Questionnaire",
            openapi_extra=interaction("Questionnaire", "search-type",
                                      search=QUESTIONNAIRE_SEARCH))
async def search_questionnaires(
        request: Request,
        _principal: reading("Questionnaire", "search-type", EVERYONE)) -> Response:
    search = parse_search(request, QUESTIONNAIRE_SEARCH)
    wanted = {name: {v for value in search.values.get(name, []) for v in value.split(",")}
              for name in ("_id", "url")}
    found = [questionnaire(d) for d in definitions().values()
             if (not wanted["_id"] or d.id in wanted["_id"])
             and (not wanted["url"] or questionnaire_url(d.id) in wanted["url"])]
    shown = found[search.page.offset:search.page.offset + search.page.count]
    return fhir_response(searchset(request, search.page, len(found), [
        (q, resource_url(request, "Questionnaire", q.id), None) for q in shown]))


# Patient

@router.get("/Patient/{patient_id}", openapi_extra=interaction("Patient", "read"))
async def read_patient(patient_id: str, session: SessionDep,
                       principal: reading("Patient", "read", PATIENT_READERS),
                       request_id: RequestIdDep) -> Response:
    patient = await _visible_patient(session, principal, patient_id)
    record_audit(session, principal.actor, "read", "Patient", patient.id, patient_id=patient.id,
                 request_id=request_id)
    return fhir_response(patient_resource(patient))


@router.get("/Patient", openapi_extra=interaction("Patient", "search-type",
                                                  search=PATIENT_SEARCH))
async def search_patients(request: Request, session: SessionDep,
                          principal: reading("Patient", "search-type", PATIENT_READERS),
                          request_id: RequestIdDep) -> Response:
    search = parse_search(request, PATIENT_SEARCH)
    found, total = await service.search_patients(session, search, principal)
    record_list_read(session, principal.actor, "fhir/Patient",
                     [Entity("Patient", p.id, p.id) for p in found], request_id=request_id)
    return fhir_response(searchset(request, search.page, total, [
        (patient_resource(p), resource_url(request, "Patient", p.id), None) for p in found]))


@router.post("/Patient", openapi_extra=interaction("Patient", "create",
                                                   conditional_create=True))
async def create_patient(request: Request, session: SessionDep, staff: FrontDesk,
                         request_id: RequestIdDep) -> Response:
    resource = await read_resource(request, FhirPatient)
    if (criteria := request.headers.get("if-none-exist")) is not None:
        search = parse_search(request, PATIENT_SEARCH, _criteria(criteria))
        found, total = await service.search_patients(session, search, staff)
        if total:
            return await _existing(session, staff, request_id, total, lambda: (
                patient_resource(found[0]), found[0].id, "Patient", found[0].id))
    confirmed = request.headers.get(CONFIRM_NOT_DUPLICATE, "").lower() == "true"
    data = patient_mapping.patient_create(resource, confirm_not_duplicate=confirmed)
    duplicates = await patients.find_possible_duplicates(session, data)
    for candidate in duplicates:  # naming a candidate discloses that patient's record
        record_audit(session, staff.actor, "read", "Patient", candidate.patient.id,
                     patient_id=candidate.patient.id, request_id=request_id)
    if duplicates and not confirmed:
        await session.commit()
        raise Conflict("A patient with the same name and date of birth or the same contact "
                       "details already exists: see Patient/$match. Use an existing patient, "
                       f"or resend with {CONFIRM_NOT_DUPLICATE}: true.", field="Patient") \
            from None
    patient = await patients.register_patient(session, data)
    record_audit(session, staff.actor, "create", "Patient", patient.id, patient_id=patient.id,
                 request_id=request_id)
    return fhir_response(patient_resource(patient), status.HTTP_201_CREATED,
                         {"Location": resource_url(request, "Patient", patient.id)})


@router.post("/Patient/$match", openapi_extra=interaction("Patient", "operation",
                                                          operation="match"))
async def match_patients(request: Request, session: SessionDep, staff: FrontDesk,
                         request_id: RequestIdDep) -> Response:
    """Scored candidates for a patient about to be registered: the same duplicate check as
    registration (patients/service.py)."""
    parameters = await read_resource(request, Parameters)
    given = {p.name: p for p in parameters.parameter or []}
    if "resource" not in given or not isinstance(given["resource"].resource, FhirPatient):
        raise Unprocessable("the resource parameter must be a Patient",
                            field="Parameters.parameter.where(name='resource')")
    data = patient_mapping.patient_create(given["resource"].resource)
    only_certain = bool(given.get("onlyCertainMatches") and
                        given["onlyCertainMatches"].valueBoolean)
    count = given["count"].valueInteger if "count" in given else None
    candidates = await patients.find_possible_duplicates(session, data)
    bundle, shown = match_bundle(request, candidates, only_certain, count)
    for patient_id in shown:
        record_audit(session, staff.actor, "read", "Patient", patient_id, patient_id=patient_id,
                     request_id=request_id)
    return fhir_response(bundle)


# QuestionnaireResponse

@router.get("/QuestionnaireResponse/{response_id}",
            openapi_extra=interaction("QuestionnaireResponse", "read"))
async def read_response(
        response_id: str, session: SessionDep, request_id: RequestIdDep,
        principal: reading("QuestionnaireResponse", "read", PATIENT_READERS)) -> Response:
    stored = await _visible_response(session, principal, response_id)
    record_audit(session, principal.actor, "read", "QuestionnaireResponse", stored.id,
                 patient_id=stored.patient_id, request_id=request_id)
    return fhir_response(response_of(stored))


@router.get("/QuestionnaireResponse",
            openapi_extra=interaction("QuestionnaireResponse", "search-type",
                                      search=RESPONSE_SEARCH))
async def search_responses(
        request: Request, session: SessionDep, request_id: RequestIdDep,
        principal: reading("QuestionnaireResponse", "search-type", PATIENT_READERS)
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
        search = parse_search(request, RESPONSE_SEARCH, _criteria(criteria))
        found, total = await service.search_responses(session, search, principal,
                                                      _questionnaire_filter)
        if total:
            return await _existing(session, principal, request_id, total, lambda: (
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


outbound.add_routes(router)  # before the catch-all


@router.api_route("/{anything:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def not_supported(anything: str) -> Response:
    """Anything else under /fhir: an OperationOutcome, not the pages' HTML 404."""
    return outcome_response(404, [Issue("this server does not implement this interaction: "
                                        "see GET /fhir/metadata", code="not-supported")])


# Helpers shared by the routes

async def _visible_patient(session, principal: Principal, patient_id: str):
    patient = await patients.get_patient(session, _uuid(patient_id)) \
        if _uuid(patient_id) else None
    if patient is None or (principal.is_patient and principal.patient_id != patient.id):
        raise NotFound(f"no Patient with id {patient_id[:64]}", field="Patient.id")
    return patient


async def _visible_response(session, principal: Principal, response_id: str):
    stored = await service.get_response(session, _uuid(response_id)) \
        if _uuid(response_id) else None
    if stored is None or (principal.is_patient and principal.patient_id != stored.patient_id):
        raise NotFound(f"no QuestionnaireResponse with id {response_id[:64]}",
                       field="QuestionnaireResponse.id")
    return stored


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _criteria(header: str) -> list[tuple[str, str]]:
    criteria = parse_qsl(header.split("?", 1)[-1], keep_blank_values=True)
    if not criteria:
        raise BadRequest("If-None-Exist must be search parameters, e.g. identifier=…",
                         field="header.if-none-exist")
    return criteria


async def _existing(session, principal: Principal, request_id: str, total: int, found):
    """A conditional create that matched: one match answers it (200), several are refused."""
    if total > 1:
        raise PreconditionFailed("If-None-Exist matched more than one resource",
                                 field="header.if-none-exist")
    resource, resource_id, resource_type, patient_id = found()
    record_audit(session, principal.actor, "read", resource_type, resource_id,
                 patient_id=patient_id, request_id=request_id)
    return fhir_response(resource)


def _questionnaire_filter(value: str) -> tuple[str, str | None] | None:
    definition, version = responses.definition_of(value)
    return (definition.id, version) if definition else None


def _subject(resource: QuestionnaireResponse, principal: Principal) -> uuid.UUID:
    reference = resource.subject.reference if resource.subject else None
    kind, _, given = (reference or "").rpartition("/")
    patient_id = _uuid(given) if kind.endswith("Patient") else None
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
