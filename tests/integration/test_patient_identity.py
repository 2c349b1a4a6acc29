"""Patient identity: sex and the clinic's record number are part of registration, and every
staff page about a case names the patient by full name, date of birth and age, sex and record
number (two-identifier rule), each view audited as a read of the Patient record."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import text

from services.intake.patients.identity import age_on
from tests.integration.decision_helpers import owed_check_in, triage
from tests.integration.helpers import create_patient, patient_payload, submit_intake

pytestmark = pytest.mark.integration

BORN = date(1984, 2, 29)


def registered(client, **overrides) -> dict:
    return create_patient(client, given_name="Ana", birth_date=BORN.isoformat(), sex="female",
                          **overrides)


def shows_identity(page: str, patient: dict) -> bool:
    """Full name, date of birth with age, sex and record number, all on the page."""
    flat = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    return all(part in flat for part in (
        f"{patient['family_name'].upper()}, {patient['given_name']}",
        f"{BORN:%d %b %Y} (age {age_on(BORN, date.today())})", "Female",
        patient["record_number"]))


def patient_reads(engine, patient_id: str, request_id: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT count(*) FROM audit_events e LEFT JOIN LATERAL "
            "jsonb_array_elements(e.entities) AS x ON true WHERE e.request_id = :r AND "
            "((e.resource_type = 'Patient' AND e.resource_id = :p) OR "
            "(x ->> 'type' = 'Patient' AND x ->> 'id' = :p))"),
            {"r": request_id, "p": patient_id}).scalar()


def test_registration_records_sex_and_generates_a_readable_record_number(client):
    first, second = registered(client), create_patient(client)

    assert first["sex"] == "female" and second["sex"] == "unknown"
    assert re.fullmatch(r"MRN\d{7}", first["record_number"])
    assert first["record_number"] != second["record_number"]


def test_a_record_number_given_at_registration_is_kept_and_belongs_to_one_patient(client):
    kept = registered(client, record_number="H-204518")

    taken = client.post("/patients", json=patient_payload(record_number="H-204518",
                                                          confirm_not_duplicate=True))

    assert kept["record_number"] == "H-204518"
    assert taken.status_code == 409 and "H-204518 already belongs" in taken.text


def test_a_given_record_number_in_the_generated_shape_is_refused(client):
    response = client.post("/patients", json=patient_payload(record_number="MRN0000042"))

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "record_number"] and "given out by the clinic" in error["msg"]


def test_a_sex_outside_the_administrative_gender_codes_is_refused(client):
    response = client.post("/patients", json=patient_payload(sex="f"))

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["body", "sex"], "enum")


def test_case_page_board_exam_pages_and_follow_ups_name_the_patient_and_audit_the_read(
        client, app_client, engine, clinician):
    patient = registered(client)
    case = submit_intake(client, patient["id"])
    triage(engine, case["id"], "intake_submitted")
    with engine.begin() as conn:  # a reminder still to come, for the follow-ups page
        conn.execute(text("UPDATE follow_ups SET status = 'scheduled' WHERE id = :f"),
                     {"f": owed_check_in(engine, case["id"])})

    for number, path in enumerate((f"/staff/cases/{case['id']}", "/staff/board",
                                   f"/staff/cases/{case['id']}/exam", "/staff/cases",
                                   "/staff/follow-ups")):
        request_id = f"identity-{number}"
        page = app_client.get(path, headers={**clinician, "X-Request-ID": request_id})
        assert page.status_code == 200, path
        assert shows_identity(page.text, patient), f"{path} does not identify the patient"
        assert patient_reads(engine, patient["id"], request_id) == 1, path


def test_the_api_case_view_names_the_patient_for_staff(client, engine, clinician, app_client):
    patient = registered(client)
    case = submit_intake(client, patient["id"])

    for headers in (client.headers, clinician):
        shown = app_client.get(f"/cases/{case['id']}", headers=headers).json()["patient"]
        assert (shown["family_name"], shown["birth_date"], shown["sex"],
                shown["record_number"]) == (patient["family_name"], BORN.isoformat(), "female",
                                            patient["record_number"])


def test_the_engine_reads_the_patients_sex_from_the_record(client, engine):
    case = submit_intake(client, registered(client)["id"])

    decision = triage(engine, case["id"], "intake_submitted")

    assert decision.inputs["sex"] == "female"
