"""GET /fhir/metadata states exactly what the router serves, and the validators themselves
refuse what they should (so their silence means something)."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute

from services.intake.fhir.capability import KEY
from services.intake.fhir.outbound import OUTBOUND as OUTBOUND_SPECS
from services.intake.fhir.router import router
from tests.fhir_validation import ResourceInvalid

pytestmark = pytest.mark.integration

OUTBOUND = {spec.type for spec in OUTBOUND_SPECS}
STATUS_EXAMPLE = {"EpisodeOfCare": "finished", "Observation": "final", "RiskAssessment": "final",
                  "Task": "requested", "CommunicationRequest": "active",
                  "Communication": "completed"}
# How each interaction is reached, as the FHIR RESTful API defines it.
ROUTE_OF = {"read": ("GET", "/fhir/{type}/{id}"), "search-type": ("GET", "/fhir/{type}"),
            "create": ("POST", "/fhir/{type}"), "update": ("PUT", "/fhir/{type}/{id}")}


def served_routes() -> set[tuple[str, str]]:
    return {(method, route.path) for route in router.routes if isinstance(route, APIRoute)
            for method in route.methods}


def test_metadata_is_public_and_lists_each_served_interaction_and_nothing_else(fhir_app,
                                                                              fhir_validator):
    response = fhir_app.get("/fhir/metadata")
    assert response.status_code == 200
    statement = response.json()
    fhir_validator.check(statement)
    assert statement["fhirVersion"] == "4.0.1"
    stated = {(r["type"], i["code"]) for r in statement["rest"][0]["resource"]
              for i in r["interaction"]}
    operations = {(r["type"], o["name"]) for r in statement["rest"][0]["resource"]
                  for o in r.get("operation", [])}
    routes = served_routes()
    for resource_type, code in stated:  # every stated interaction has its route
        method, pattern = ROUTE_OF[code]
        path = pattern.replace("{type}", resource_type)
        assert any(m == method and (p == path or p.startswith(path.replace("{id}", "{")))
                   for m, p in routes), (resource_type, code)
    for resource_type, name in operations:
        assert ("POST", f"/fhir/{resource_type}/${name}") in routes
    declared = {(route.openapi_extra[KEY].resource, route.openapi_extra[KEY].code)
                for route in router.routes
                if isinstance(route, APIRoute) and route.openapi_extra}
    assert {d for d in declared if d[1] != "operation"} == stated
    assert stated == {("Patient", "read"), ("Patient", "search-type"), ("Patient", "create"),
                      ("Questionnaire", "read"), ("Questionnaire", "search-type"),
                      ("QuestionnaireResponse", "read"),
                      ("QuestionnaireResponse", "search-type"),
                      ("QuestionnaireResponse", "create"), ("QuestionnaireResponse", "update"),
                      *((name, code) for name in OUTBOUND for code in ("read", "search-type"))}
    assert operations == {("Patient", "match")}
    [task] = [r for r in statement["rest"][0]["resource"] if r["type"] == "Task"]
    assert task["searchInclude"] == ["Task:patient"]
    for resource in statement["rest"][0]["resource"]:
        if resource["type"] in OUTBOUND:
            assert {"patient", "_lastUpdated"} <= {p["name"] for p in resource["searchParam"]}
    security = statement["rest"][0]["security"]
    assert security["service"][0]["coding"][0]["code"] == "SMART-on-FHIR"
    assert security["extension"][0]["extension"][0]["valueUri"].endswith("/fhir/auth/token")


def test_every_fhir_route_but_metadata_and_the_catch_all_declares_its_interaction():
    undeclared = {route.path for route in router.routes if isinstance(route, APIRoute)
                  and not (route.openapi_extra and KEY in route.openapi_extra)}
    assert undeclared == {"/fhir/metadata", "/fhir/{anything:path}"}


def test_each_stated_search_parameter_is_understood_and_any_other_is_refused(fhir_app, as_role):
    statement = fhir_app.get("/fhir/metadata").json()
    examples = {"token": "x", "string": "x", "date": "2024", "reference": "Patient/x",
                "uri": "https://example.org/q"}
    readers = {"AuditEvent": as_role("admin")}
    clinician = as_role("clinician")
    for resource in statement["rest"][0]["resource"]:
        if not any(i["code"] == "search-type" for i in resource["interaction"]):
            continue
        reader = readers.get(resource["type"], clinician)
        patient = "&patient=Patient/x" if resource["type"] == "AuditEvent" else ""
        for parameter in resource["searchParam"]:
            value = STATUS_EXAMPLE.get(resource["type"], "completed") \
                if parameter["name"] == "status" else examples[parameter["type"]]
            answer = reader.get(f"/fhir/{resource['type']}?{parameter['name']}={value}{patient}")
            assert answer.status_code == 200, (resource["type"], parameter, answer.text)
        refused = reader.get(f"/fhir/{resource['type']}?not-a-parameter=1")
        assert refused.status_code == 400
        assert refused.json()["issue"][0]["code"] == "not-supported"


def test_an_unknown_fhir_path_answers_an_operation_outcome(desk):
    response = desk.get("/fhir/Encounter")
    assert response.status_code == 404
    assert response.json()["issue"][0]["code"] == "not-supported"


def test_the_validators_refuse_a_wrong_code_an_unknown_element_and_a_bad_date(fhir_validator):
    with pytest.raises(ResourceInvalid, match="FHIR.js"):
        fhir_validator.check({"resourceType": "Patient", "gender": "woman"})
    with pytest.raises(ResourceInvalid, match="FHIR.js"):
        fhir_validator.check({"resourceType": "Patient", "nickname": "A"})
    with pytest.raises(ResourceInvalid, match="fhirclient"):
        fhir_validator.check({"resourceType": "Patient", "birthDate": "1990-13-45"})
    with pytest.raises(ResourceInvalid, match="FHIR.js"):
        fhir_validator.check({"resourceType": "Bundle", "type": "searchset", "entry": [
            {"resource": {"resourceType": "Patient", "gender": "bad"}}]})


def test_a_non_ascii_digit_in_paging_or_an_id_is_a_clear_400_or_404_not_a_server_error(as_role):
    # "¹" passes str.isdigit() but not int(): schemathesis found `_offset=¹` answering 500.
    clinician, admin = as_role("clinician"), as_role("admin")
    for parameter in ("_offset", "_count"):
        answer = clinician.get(f"/fhir/Task?{parameter}=%C2%B9")
        assert answer.status_code == 400, answer.text
        assert parameter in answer.text
    assert admin.get("/fhir/AuditEvent/%C2%B9").status_code == 404


def test_a_nul_character_in_a_search_or_a_resource_is_a_400_outcome_not_a_server_error(
    as_role
):
    # schemathesis found GET /fhir/Patient?gender=%00... answering 500 (PostgreSQL holds no NUL).
    clinician = as_role("clinician")
    for query in ("gender=%00x", "name=a%00b&gender=male"):
        answer = clinician.get(f"/fhir/Patient?{query}")
        assert answer.status_code == 400, answer.text
        outcome = answer.json()
        assert outcome["resourceType"] == "OperationOutcome"
        assert "NUL" in outcome["issue"][0]["diagnostics"]
        assert "%00" not in answer.text and "\\u0000x" not in answer.text
    named = clinician.get("/fhir/Patient?gender=%00x").json()["issue"][0]
    assert named["expression"] == ["gender"]
