"""Patient: create, read, search, $match, with the REST API's roles, audit and 404s."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.fixtures.fhir import fhir_patient

pytestmark = pytest.mark.integration
MRN = "https://ankle-triage.clinic/fhir/sid/record-number"


def created(desk, confirm: bool = False, **overrides) -> dict:
    response = desk.post("/fhir/Patient", fhir_patient(**overrides), headers={
        "X-Confirm-Not-Duplicate": "true"} if confirm else None)
    assert response.status_code == 201, response.text
    assert response.headers["location"].endswith(f"/fhir/Patient/{response.json()['id']}")
    return response.json()


def audit(engine, patient_id: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT action, resource_type FROM audit_events WHERE patient_id = :p "
            "OR entities @> CAST(:e AS jsonb) ORDER BY occurred_at"),
            {"p": patient_id, "e": f'[{{"patient_id": "{patient_id}"}}]'})]


def test_a_created_patient_has_gender_from_sex_and_a_generated_record_number(desk, engine):
    patient = created(desk, gender="male")
    assert patient["gender"] == "male"
    [identifier] = patient["identifier"]
    assert identifier["system"] == MRN and identifier["value"].startswith("MRN")
    assert identifier["type"]["coding"][0]["code"] == "MR"
    assert desk.get(f"/fhir/Patient/{patient['id']}").json() == patient
    assert ("create", "Patient") in audit(engine, patient["id"])
    assert ("read", "Patient") in audit(engine, patient["id"])


def test_search_by_identifier_name_birthdate_telecom_and_gender(desk):
    ana = created(desk, birthDate="1985-06-15", gender="female")
    other = created(desk, birthDate="1971-01-01", gender="male")
    mrn = ana["identifier"][0]["value"]
    family = ana["name"][0]["family"]
    email = ana["telecom"][0]["value"]

    def ids(query: str) -> set[str]:
        return {e["resource"]["id"] for e in desk.search_all(f"/fhir/Patient?{query}")}

    assert ids(f"identifier={MRN}|{mrn}") == ids(f"identifier={mrn}") == {ana["id"]}
    assert ids(f"identifier=https://other.example/mrn|{mrn}") == set()
    assert ids(f"name={family[:6].upper()}") >= {ana["id"]} and other["id"] not in \
        ids(f"name={family}")
    assert ids(f"name={family}&birthdate=1985-06") == {ana["id"]}
    assert ana["id"] not in ids("birthdate=lt1985-06-15") and ana["id"] in \
        ids("birthdate=ge1985")
    assert ids(f"telecom=email|{email.upper()}") == {ana["id"]}
    assert other["id"] in ids("gender=male") and ana["id"] not in ids("gender=male")


def test_search_pages_with_count_and_next_links(desk, engine):
    made = {created(desk, birthDate="1960-02-02")["id"] for _ in range(3)}
    first = desk.get("/fhir/Patient?birthdate=1960-02-02&_count=2").json()
    assert first["total"] == 3 and len(first["entry"]) == 2
    assert any(link["relation"] == "next" for link in first["link"])
    assert {e["resource"]["id"] for e in desk.search_all(
        "/fhir/Patient?birthdate=1960-02-02&_count=2")} == made
    for patient_id in made:  # each search is one audited list read naming what it showed
        assert ("read", "List") in audit(engine, patient_id)


def test_a_patient_token_reads_and_finds_only_that_patient(desk, as_patient):
    own, other = created(desk), created(desk)
    patient = as_patient(own["id"])
    assert patient.get(f"/fhir/Patient/{own['id']}").status_code == 200
    refused = patient.get(f"/fhir/Patient/{other['id']}")
    missing = patient.get("/fhir/Patient/00000000-0000-0000-0000-000000000000")
    assert refused.status_code == missing.status_code == 404
    assert refused.json()["issue"][0]["diagnostics"].startswith("no Patient with id")
    assert [e["resource"]["id"] for e in patient.get("/fhir/Patient").json()["entry"]] == \
        [own["id"]]
    assert patient.post("/fhir/Patient", fhir_patient()).status_code == 403


def test_roles_and_sign_in_are_refused_as_operation_outcomes(as_role, fhir_app, desk):
    patient = created(desk)
    admin = as_role("admin").get(f"/fhir/Patient/{patient['id']}")
    assert admin.status_code == 403 and admin.json()["issue"][0]["code"] == "forbidden"
    anonymous = fhir_app.get(f"/fhir/Patient/{patient['id']}")
    assert anonymous.status_code == 401
    assert anonymous.json()["resourceType"] == "OperationOutcome"


def test_a_possible_duplicate_is_refused_until_confirmed(desk):
    first = created(desk)
    twin = fhir_patient(name=first["name"], birthDate=first["birthDate"])
    refused = desk.post("/fhir/Patient", twin)
    assert refused.status_code == 409
    assert "$match" in refused.json()["issue"][0]["diagnostics"]
    confirmed = desk.post("/fhir/Patient", twin, headers={"X-Confirm-Not-Duplicate": "true"})
    assert confirmed.status_code == 201


def test_if_none_exist_returns_the_existing_patient(desk):
    first = created(desk)
    again = desk.post("/fhir/Patient", fhir_patient(), headers={
        "If-None-Exist": f"identifier={MRN}|{first['identifier'][0]['value']}"})
    assert again.status_code == 200 and again.json()["id"] == first["id"]


def test_invalid_patients_are_refused_naming_the_element_not_the_value(desk):
    response = desk.post("/fhir/Patient", fhir_patient(birthDate="2999-01-01"))
    assert response.status_code == 422
    assert "Patient.birthDate" in response.json()["issue"][0]["diagnostics"]
    secret = "a-secret-value-that-must-not-come-back"
    unknown = desk.post("/fhir/Patient", {**fhir_patient(), "nickname": secret},
                        valid_body=False)
    assert unknown.status_code == 422 and secret not in unknown.text
    assert unknown.json()["issue"][0]["code"] == "structure"
    wrong = desk.post("/fhir/Patient", {**fhir_patient(), "gender": "woman"}, valid_body=False)
    assert wrong.status_code == 422 and "woman" not in wrong.text


def test_match_returns_scored_candidates_from_the_duplicate_check(desk, engine):
    person = created(desk)
    same_contact_only = created(desk, confirm=True, telecom=person["telecom"])
    asked = fhir_patient(name=person["name"], birthDate=person["birthDate"],
                         telecom=person["telecom"])
    bundle = desk.post("/fhir/Patient/$match", {"resourceType": "Parameters", "parameter": [
        {"name": "resource", "resource": asked}]}).json()
    scored = {e["resource"]["id"]: (e["search"]["score"], e["search"]["extension"][0]["valueCode"])
              for e in bundle["entry"]}
    assert scored == {person["id"]: (1.0, "certain"), same_contact_only["id"]: (0.5, "possible")}
    certain = desk.post("/fhir/Patient/$match", {"resourceType": "Parameters", "parameter": [
        {"name": "resource", "resource": asked},
        {"name": "onlyCertainMatches", "valueBoolean": True}]}).json()
    assert [e["resource"]["id"] for e in certain["entry"]] == [person["id"]]
    assert ("read", "Patient") in audit(engine, same_contact_only["id"])
