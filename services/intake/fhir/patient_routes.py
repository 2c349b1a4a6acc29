"""/fhir/Patient: read, search, create (with the duplicate check registration makes) and
$match."""

from __future__ import annotations

from fastapi import Request, Response, status
from fhirclient.models.parameters import Parameters
from fhirclient.models.patient import Patient as FhirPatient

from services.intake.auth.permissions import Permission
from services.intake.auth.principal import Principal
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.errors import Conflict, NotFound
from services.intake.fhir import patients as patient_mapping
from services.intake.fhir import service
from services.intake.fhir.access import reading
from services.intake.fhir.api import FrontDesk, criteria_of, existing_match, parse_id, router
from services.intake.fhir.capability import interaction
from services.intake.fhir.model import fhir_response, read_resource
from services.intake.fhir.outcomes import Unprocessable
from services.intake.fhir.patients import match_bundle, patient_resource
from services.intake.fhir.search import SearchParameter, parse_search, resource_url, searchset
from services.intake.patients import service as patients
from shared.audit import Entity, record_audit, record_list_read

CONFIRM_NOT_DUPLICATE = "X-Confirm-Not-Duplicate"
PATIENT_SEARCH = (
    SearchParameter("_id", "token", "The patient's id"),
    SearchParameter("identifier", "token", "The clinic's record number (MRN), system|value"),
    SearchParameter("name", "string", "Given or family name, starting with, any case"),
    SearchParameter("birthdate", "date", "Date of birth; eq, gt, ge, lt, le"),
    SearchParameter("gender", "token", "Administrative gender"),
    SearchParameter("telecom", "token", "Email or phone, exactly (email|… or phone|…)"),
)


@router.get("/Patient/{patient_id}", openapi_extra=interaction("Patient", "read"))
async def read_patient(patient_id: str, session: SessionDep,
                       principal: reading("Patient", "read", Permission.READ_CASE),
                       request_id: RequestIdDep) -> Response:
    patient = await _visible_patient(session, principal, patient_id)
    record_audit(session, principal.actor, "read", "Patient", patient.id, patient_id=patient.id,
                 request_id=request_id)
    return fhir_response(patient_resource(patient))


@router.get("/Patient", openapi_extra=interaction("Patient", "search-type",
                                                  search=PATIENT_SEARCH))
async def search_patients(request: Request, session: SessionDep,
                          principal: reading("Patient", "search-type", Permission.READ_CASE),
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
        search = parse_search(request, PATIENT_SEARCH, criteria_of(criteria))
        found, total = await service.search_patients(session, search, staff)
        if total:
            return await existing_match(session, staff, request_id, total, lambda: (
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


async def _visible_patient(session, principal: Principal, patient_id: str):
    patient = await patients.get_patient(session, parse_id(patient_id)) \
        if parse_id(patient_id) else None
    if patient is None or (principal.is_patient and principal.patient_id != patient.id):
        raise NotFound(f"no Patient with id {patient_id[:64]}", field="Patient.id")
    return patient


