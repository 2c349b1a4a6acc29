"""QuestionnaireResponse: a completed one opens a case exactly as POST /cases does; an
in-progress one is a draft saved on the server; read and search."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from shared.clinical_record import PreVisitHistory
from tests.fixtures.fhir import TWISTED_ANKLE_FORM, TWISTED_ANKLE_HISTORY, fhir_patient, filled_in

pytestmark = pytest.mark.integration


@pytest.fixture
def questionnaire(desk) -> dict:
    return desk.get("/fhir/Questionnaire/ankle-previsit").json()


@pytest.fixture
def patient_id(desk) -> str:
    return desk.post("/fhir/Patient", fhir_patient()).json()["id"]


def case_rows(engine, patient_id: str) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(
            "SELECT c.id AS case_id, c.status, r.answers, r.questionnaire_version, "
            "(SELECT count(*) FROM outbox_messages o WHERE o.payload->>'case_id' = c.id::text "
            " AND o.task_name = 'triage.cases.evaluate') AS triage_requests, "
            "(SELECT count(*) FROM audit_events a WHERE a.resource_id = c.id::text "
            " AND a.action = 'create' AND a.resource_type = 'Case') AS audited "
            "FROM cases c JOIN intake_responses r ON r.case_id = c.id "
            "WHERE c.patient_id = :p"), {"p": patient_id})]


def test_a_completed_response_opens_a_case_as_post_cases_does(desk, questionnaire, patient_id,
                                                               engine):
    response = desk.post("/fhir/QuestionnaireResponse",
                         filled_in(questionnaire, TWISTED_ANKLE_FORM, patient_id))
    assert response.status_code == 201, response.text
    sent = response.json()
    assert sent["status"] == "completed"
    assert response.headers["location"].endswith(f"/QuestionnaireResponse/{sent['id']}")
    [case] = case_rows(engine, patient_id)
    # Stored as POST /cases stores a form: the history as PreVisitHistory dumps it.
    assert case["answers"] == PreVisitHistory(**TWISTED_ANKLE_HISTORY).model_dump(
        mode="json", exclude_none=True)
    assert case["questionnaire_version"] == questionnaire["version"]
    assert (case["status"], case["triage_requests"], case["audited"]) == \
        ("awaiting_triage", 1, 1)
    assert sent["extension"][0]["valueReference"]["reference"] == f"EpisodeOfCare/{case['case_id']}"
    assert desk.get(f"/fhir/QuestionnaireResponse/{sent['id']}").json() == sent


def test_the_response_read_back_carries_the_answers_sent(desk, questionnaire, patient_id):
    sent = filled_in(questionnaire, TWISTED_ANKLE_FORM, patient_id)
    stored = desk.post("/fhir/QuestionnaireResponse", sent).json()

    def answers(response: dict) -> dict:
        return {i["linkId"]: [next(iter(a.values())) if not isinstance(next(iter(a.values())),
                                                                      dict)
                              else next(iter(a.values()))["code"] for a in i["answer"]]
                for group in response["item"] for i in group["item"] if "answer" in i}

    assert answers(stored) == answers(sent)


def test_missing_and_invalid_answers_are_refused_naming_the_question(desk, questionnaire,
                                                                     patient_id, engine):
    form = {k: v for k, v in TWISTED_ANKLE_FORM.items() if k != "walks_four_steps_now"}
    response = desk.post("/fhir/QuestionnaireResponse", filled_in(questionnaire, form, patient_id))
    assert response.status_code == 422
    [issue] = response.json()["issue"]
    assert issue["code"] == "required"
    assert issue["expression"] == ["QuestionnaireResponse.item.where(linkId='walks_four_steps_now')"]
    secret = "not-a-question-and-not-echoed"
    unknown = filled_in(questionnaire, TWISTED_ANKLE_FORM, patient_id)
    unknown["item"].append({"linkId": "mystery", "answer": [{"valueString": secret}]})
    refused = desk.post("/fhir/QuestionnaireResponse", unknown)
    assert refused.status_code == 422 and secret not in refused.text
    assert case_rows(engine, patient_id) == []


def test_a_patient_submits_only_for_themselves_answered_like_post_cases(
        desk, as_patient, questionnaire, patient_id, fhir_app):
    other = desk.post("/fhir/Patient", fhir_patient()).json()["id"]
    patient = as_patient(other)
    refused = patient.post("/fhir/QuestionnaireResponse",
                           filled_in(questionnaire, TWISTED_ANKLE_FORM, patient_id))
    rest = fhir_app.post("/cases", headers=patient.headers, json={
        "patient_id": patient_id, "history": TWISTED_ANKLE_HISTORY})
    assert refused.status_code == rest.status_code == 422
    assert refused.json()["issue"][0]["diagnostics"] == rest.json()["detail"][0]["msg"]
    assert refused.json()["issue"][0]["expression"] == ["QuestionnaireResponse.subject"]
    own = patient.post("/fhir/QuestionnaireResponse",
                       filled_in(questionnaire, TWISTED_ANKLE_FORM, other))
    assert own.status_code == 201


def test_if_none_exist_and_idempotency_key_open_one_case(desk, questionnaire, patient_id,
                                                         engine):
    identifier = {"system": "urn:ietf:rfc:3986", "value": "urn:uuid:5b1c3a52-form-1"}
    resource = filled_in(questionnaire, TWISTED_ANKLE_FORM, patient_id, identifier=identifier)
    header = {"If-None-Exist": f"identifier={identifier['system']}|{identifier['value']}"}
    first = desk.post("/fhir/QuestionnaireResponse", resource, headers=header)
    again = desk.post("/fhir/QuestionnaireResponse", resource, headers=header)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert len(case_rows(engine, patient_id)) == 1
    keyed = filled_in(questionnaire, TWISTED_ANKLE_FORM, patient_id)
    key = {"Idempotency-Key": "fhir-form-42"}
    one = desk.post("/fhir/QuestionnaireResponse", keyed, headers=key)
    two = desk.client.post("/fhir/QuestionnaireResponse", headers={
        **desk.headers, **key, "Content-Type": "application/fhir+json"},
        content=one.request.content)
    assert two.status_code == 201 and two.json() == one.json()
    assert len(case_rows(engine, patient_id)) == 2


def test_a_draft_is_saved_resumed_and_completed_keeping_its_id(desk, as_patient, questionnaire,
                                                               patient_id, engine):
    patient = as_patient(patient_id)
    partial = {k: TWISTED_ANKLE_FORM[k] for k in ("side", "onset", "pain_locations")}
    saved = patient.post("/fhir/QuestionnaireResponse",
                         filled_in(questionnaire, partial, patient_id, status="in-progress"))
    assert saved.status_code == 201, saved.text
    draft = saved.json()
    assert draft["status"] == "in-progress" and case_rows(engine, patient_id) == []
    found = desk.get(f"/fhir/QuestionnaireResponse?patient=Patient/{patient_id}"
                     "&status=in-progress").json()
    assert [e["resource"]["id"] for e in found["entry"]] == [draft["id"]]
    more = {**partial, "injury_mechanism": "rolled_outward"}
    updated = patient.put(f"/fhir/QuestionnaireResponse/{draft['id']}", filled_in(
        questionnaire, more, patient_id, status="in-progress", id=draft["id"]))
    assert updated.status_code == 200
    resumed = patient.get(f"/fhir/QuestionnaireResponse/{draft['id']}").json()
    assert "injury_mechanism" in str(resumed["item"])
    completed = patient.put(f"/fhir/QuestionnaireResponse/{draft['id']}", filled_in(
        questionnaire, TWISTED_ANKLE_FORM, patient_id, id=draft["id"]))
    assert completed.status_code == 200, completed.text
    assert completed.json()["id"] == draft["id"] and completed.json()["status"] == "completed"
    assert len(case_rows(engine, patient_id)) == 1
    final = patient.put(f"/fhir/QuestionnaireResponse/{draft['id']}", filled_in(
        questionnaire, TWISTED_ANKLE_FORM, patient_id, id=draft["id"]))
    assert final.status_code == 409


def test_search_by_patient_questionnaire_status_and_authored_with_paging(
        desk, questionnaire, patient_id, engine):
    for _ in range(3):
        desk.post("/fhir/QuestionnaireResponse",
                  filled_in(questionnaire, TWISTED_ANKLE_FORM, patient_id))
    base = f"/fhir/QuestionnaireResponse?patient={patient_id}"
    page = desk.get(f"{base}&_count=2").json()
    assert page["total"] == 3 and len(page["entry"]) == 2
    assert len(desk.search_all(f"{base}&_count=2")) == 3
    assert desk.get(f"{base}&questionnaire={questionnaire['url']}").json()["total"] == 3
    assert desk.get(f"{base}&questionnaire=ankle-check-in").json()["total"] == 0
    assert desk.get(f"{base}&status=completed").json()["total"] == 3
    assert desk.get(f"{base}&status=in-progress").json()["total"] == 0
    assert desk.get(f"{base}&authored=ge2020-01-01").json()["total"] == 3
    assert desk.get(f"{base}&authored=lt2020").json()["total"] == 0
    with engine.connect() as conn:
        assert conn.execute(text(
            "SELECT count(*) FROM audit_events WHERE resource_type = 'List' "
            "AND resource_id = 'fhir/QuestionnaireResponse' AND entities @> CAST(:e AS jsonb)"),
            {"e": f'[{{"patient_id": "{patient_id}"}}]'}).scalar() >= 1


def test_another_patients_response_answers_404_like_a_missing_one(desk, as_patient,
                                                                   questionnaire, patient_id):
    sent = desk.post("/fhir/QuestionnaireResponse",
                     filled_in(questionnaire, TWISTED_ANKLE_FORM, patient_id)).json()
    other = as_patient(desk.post("/fhir/Patient", fhir_patient()).json()["id"])
    refused = other.get(f"/fhir/QuestionnaireResponse/{sent['id']}")
    missing = other.get("/fhir/QuestionnaireResponse/00000000-0000-0000-0000-000000000000")
    assert refused.status_code == missing.status_code == 404
    assert other.get(f"/fhir/QuestionnaireResponse?patient={patient_id}").json()["total"] == 0
    assert as_patient(patient_id).get(f"/fhir/QuestionnaireResponse/{sent['id']}"
                                      ).status_code == 200
