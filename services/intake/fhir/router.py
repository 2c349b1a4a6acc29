"""/fhir: thin routes. Each parses, authorises (the REST API's permissions and object-level
checks), calls a service, audits and answers a typed resource; each declares its interaction
for the CapabilityStatement (capability.py). Here: the CapabilityStatement, Questionnaire and
the catch-all; Patient and QuestionnaireResponse in their modules, the outbound resources in
outbound.py, all on the one router of api.py."""

from __future__ import annotations

from fastapi import Request, Response

from services.intake.auth.permissions import Permission
from services.intake.errors import NotFound

# Imported for their routes, which they add to the router: the resources patients write.
from services.intake.fhir import patient_routes, response_routes  # noqa: F401
from services.intake.fhir.access import reading
from services.intake.fhir.api import router
from services.intake.fhir.canonical import questionnaire_url
from services.intake.fhir.capability import capability_statement, interaction
from services.intake.fhir.definitions import definitions
from services.intake.fhir.model import fhir_response
from services.intake.fhir.outbound import add_routes as add_outbound_routes
from services.intake.fhir.outcomes import Issue, outcome_response
from services.intake.fhir.questionnaires import questionnaire
from services.intake.fhir.search import (
    SearchParameter,
    base_url,
    parse_search,
    resource_url,
    searchset,
)

QUESTIONNAIRE_SEARCH = (
    SearchParameter("_id", "token", "The questionnaire's id: ankle-previsit, ankle-check-in, "
                    "ankle-exam"),
    SearchParameter("url", "uri", "The questionnaire's canonical URL"),
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
        _principal: reading("Questionnaire", "read", Permission.READ_FORMS)) -> Response:
    if (definition := definitions().get(questionnaire_id)) is None:
        raise NotFound(f"no Questionnaire with id {questionnaire_id[:64]}",
                       field="Questionnaire.id")
    return fhir_response(questionnaire(definition))


@router.get("/Questionnaire",
            openapi_extra=interaction("Questionnaire", "search-type",
                                      search=QUESTIONNAIRE_SEARCH))
async def search_questionnaires(
        request: Request,
        _principal: reading("Questionnaire", "search-type", Permission.READ_FORMS)) -> Response:
    search = parse_search(request, QUESTIONNAIRE_SEARCH)
    wanted = {name: {v for value in search.values.get(name, []) for v in value.split(",")}
              for name in ("_id", "url")}
    found = [questionnaire(d) for d in definitions().values()
             if (not wanted["_id"] or d.id in wanted["_id"])
             and (not wanted["url"] or questionnaire_url(d.id) in wanted["url"])]
    shown = found[search.page.offset:search.page.offset + search.page.count]
    return fhir_response(searchset(request, search.page, len(found), [
        (q, resource_url(request, "Questionnaire", q.id), None) for q in shown]))


add_outbound_routes(router)  # before the catch-all


@router.api_route("/{anything:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def not_supported(anything: str) -> Response:
    """Anything else under /fhir: an OperationOutcome, not the pages' HTML 404."""
    return outcome_response(404, [Issue("this server does not implement this interaction: "
                                        "see GET /fhir/metadata", code="not-supported")])

