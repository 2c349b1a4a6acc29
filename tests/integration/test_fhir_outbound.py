"""The case read out through FHIR: EpisodeOfCare, Observation, ClinicalImpression,
RiskAssessment, ServiceRequest, Task, CommunicationRequest, Communication and AuditEvent, each
read and searched (patient, status, _lastUpdated, _count with next links, Task's _include),
with the REST API's roles and object-level checks, every read and search audited. Every
resource here passes both validators (tests/fixtures/fhir.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from shared.clock import utcnow
from tests.fixtures.fhir import fhir_patient
from tests.integration.decision_helpers import placement_of
from tests.integration.fhir_outbound_helpers import (
    follow_up_with_deliveries,
    open_case,
    record_exam,
    routed_case,
)

pytestmark = pytest.mark.integration

PRIORITY_OF_URGENCY = {"emergency": "stat", "urgent": "asap", "soon": "urgent",
                       "routine": "routine"}


@pytest.fixture
def clinician(as_role):
    return as_role("clinician")


@pytest.fixture
def admin(as_role):
    return as_role("admin")


def audit_rows(engine, resource_type: str) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(
            "SELECT actor_role, action, resource_type, resource_id, patient_id, entities "
            "FROM audit_events WHERE resource_type = :t OR resource_id = :l ORDER BY id"),
            {"t": resource_type, "l": f"fhir/{resource_type}"})]


def test_a_routed_case_reads_out_as_its_episode_task_impression_risk_and_referral(
        desk, clinician, engine):
    patient_id, _response_id, case_id, decision = routed_case(desk, engine)
    placed = placement_of(engine, case_id)

    episode = clinician.get(f"/fhir/EpisodeOfCare/{case_id}").json()
    assert episode["status"] == "active"
    assert episode["patient"]["reference"] == f"Patient/{patient_id}"

    [task] = clinician.get(f"/fhir/Task?patient={patient_id}").json()["entry"]
    task = clinician.get(f"/fhir/Task/{task['resource']['id']}").json()
    assert task["status"] == "requested"
    assert task["businessStatus"]["coding"][0]["code"] == "waiting"
    assert task["priority"] == PRIORITY_OF_URGENCY[placed.urgency]
    assert task["code"]["coding"][0]["code"] == placed.queue
    assert task["for"]["reference"] == f"Patient/{patient_id}"
    assert task["reasonReference"]["reference"] == f"ClinicalImpression/{decision.id}"
    with engine.connect() as conn:
        due = conn.execute(text("SELECT due_at FROM queue_entries WHERE case_id = :c"),
                           {"c": case_id}).scalar_one()
    assert task["restriction"]["period"]["end"] == due.isoformat()

    impression = clinician.get(f"/fhir/ClinicalImpression/{decision.id}").json()
    assert impression["status"] == "completed"
    assert impression["protocol"] == [
        f"https://ankle-triage.clinic/fhir/ruleset/{decision.ruleset_version}#{r['rule_id']}"
        for r in decision.outcome["rules_fired"]]
    assert {f["itemCodeableConcept"]["text"] for f in impression["finding"]} == \
        {c["condition"] for c in decision.outcome["conditions"]}
    [ruleset] = [e for e in impression["extension"] if e["url"].endswith("/ruleset")]
    assert {e["url"]: e["valueString"] for e in ruleset["extension"]} == {
        "version": decision.ruleset_version, "hash": decision.ruleset_hash}

    risk = clinician.get(f"/fhir/RiskAssessment/{decision.id}").json()
    assert risk["prediction"][0]["qualitativeRisk"]["coding"][0]["code"] == decision.urgency
    assert risk["method"]["coding"][0]["version"] == decision.ruleset_version
    assert risk["parent"]["reference"] == f"ClinicalImpression/{decision.id}"

    assert decision.queue == "imaging" and decision.imaging_modality == "xray"
    referral = clinician.get(f"/fhir/ServiceRequest/{decision.id}").json()
    assert referral["status"] == "active" and referral["intent"] == "order"
    assert referral["category"][0]["coding"][0] == {
        "system": "http://snomed.info/sct", "code": "363679005", "display": "Imaging"}
    assert referral["code"]["coding"][0]["code"] == "imaging-xray"
    assert task["basedOn"][0]["reference"] == f"ServiceRequest/{decision.id}"


def test_a_completed_queue_entry_completes_its_task_and_referral(desk, clinician, engine):
    patient_id, _response, case_id, decision = routed_case(desk, engine)
    headers = clinician.headers
    assert clinician.client.post(f"/cases/{case_id}/claim", headers=headers).status_code == 200
    claimed = clinician.get(f"/fhir/Task?patient={patient_id}").json()["entry"][0]["resource"]
    assert claimed["status"] == "in-progress"
    assert claimed["owner"]["identifier"]["system"].endswith("/sid/staff")
    done = clinician.client.post(f"/cases/{case_id}/complete", headers=headers,
                                 json={"outcome": "completed"})
    assert done.status_code == 200, done.text

    assert clinician.get(f"/fhir/Task?patient={patient_id}&status=completed").json()["total"] == 1
    assert clinician.get(f"/fhir/Task?patient={patient_id}&status=requested,in-progress"
                         ).json()["total"] == 0
    assert clinician.get(f"/fhir/ServiceRequest/{decision.id}").json()["status"] == "completed"
    assert clinician.get(f"/fhir/EpisodeOfCare/{case_id}").json()["status"] == "finished"


def test_tasks_are_searched_by_patient_status_and_last_updated_and_paged_by_next_links(
        desk, clinician, engine):
    patient_id = desk.post("/fhir/Patient", fhir_patient()).json()["id"]
    for _ in range(3):
        routed_case(desk, engine, patient_id)
    other_patient, *_ = routed_case(desk, engine)

    first = clinician.get(f"/fhir/Task?patient=Patient/{patient_id}&_count=2").json()
    assert first["total"] == 3 and len(first["entry"]) == 2
    assert [link["relation"] for link in first["link"]] == ["self", "next"]
    everything = clinician.search_all(f"/fhir/Task?patient={patient_id}&_count=2")
    assert len({e["resource"]["id"] for e in everything}) == 3
    assert {e["resource"]["for"]["reference"] for e in everything} == {f"Patient/{patient_id}"}

    assert clinician.get(f"/fhir/Task?patient={patient_id}&status=requested").json()[
        "total"] == 3
    assert clinician.get(f"/fhir/Task?patient={patient_id}&status=cancelled").json()[
        "total"] == 0
    hour_ago = (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    soon = (utcnow() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert clinician.get(f"/fhir/Task?patient={patient_id}&_lastUpdated=gt{hour_ago}"
                         .replace("+", "%2B")).json()["total"] == 3
    assert clinician.get(f"/fhir/Task?patient={patient_id}&_lastUpdated=gt{soon}"
                         .replace("+", "%2B")).json()["total"] == 0
    assert clinician.get(f"/fhir/Task?patient={other_patient},{patient_id}").json()[
        "total"] == 4
    refused = clinician.get(f"/fhir/Task?patient={patient_id}&status=waiting")
    assert refused.status_code == 400
    assert refused.json()["issue"][0]["expression"] == ["status"]


def test_including_the_patients_of_tasks_adds_each_patient_once(desk, clinician, engine):
    patient_id = desk.post("/fhir/Patient", fhir_patient()).json()["id"]
    routed_case(desk, engine, patient_id)
    bundle = clinician.get(f"/fhir/Task?patient={patient_id}&_include=Task:patient").json()
    modes = [(e["search"]["mode"], e["resource"]["resourceType"]) for e in bundle["entry"]]
    assert modes == [("match", "Task"), ("include", "Patient")]
    assert bundle["entry"][1]["resource"]["id"] == patient_id
    assert bundle["total"] == 1
    refused = clinician.get("/fhir/Task?_include=Task:owner")
    assert refused.status_code == 400
    [shown] = [r for r in audit_rows(engine, "Task") if r["resource_id"] == "fhir/Task"][-1:]
    assert {(e["type"], e["patient_id"]) for e in shown["entities"]} == {
        ("Task", patient_id), ("Patient", patient_id)}


def test_exam_findings_are_observations_coded_in_our_system_with_loinc_for_temperature(
        desk, clinician, engine):
    patient_id, _response, case_id = open_case(desk)
    record_exam(desk, case_id, {"tender_navicular": True, "swelling": "moderate",
                                "temperature_celsius": 38.4, "notes": "Limping."})
    found = {e["resource"]["code"]["coding"][0]["code"]: e["resource"] for e in
             desk.search_all(f"/fhir/Observation?patient={patient_id}")}
    assert set(found) == {"tender_navicular", "swelling", "temperature_celsius", "notes"}
    assert found["tender_navicular"]["valueBoolean"] is True
    assert found["tender_navicular"]["category"][0]["coding"][0]["code"] == "exam"
    assert found["swelling"]["valueCodeableConcept"]["coding"][0]["code"] == "moderate"
    temperature = found["temperature_celsius"]
    assert temperature["code"]["coding"][1] == {"system": "http://loinc.org", "code": "8310-5",
                                                "display": "Body temperature"}
    assert temperature["valueQuantity"] == {"value": 38.4, "unit": "°C",
                                            "system": "http://unitsofmeasure.org",
                                            "code": "Cel"}
    assert found["notes"]["valueString"] == "Limping."
    read = clinician.get(f"/fhir/Observation/{found['swelling']['id']}").json()
    assert read["subject"]["reference"] == f"Patient/{patient_id}"
    assert read["extension"][0]["valueReference"]["reference"] == f"EpisodeOfCare/{case_id}"
    assert clinician.get(f"/fhir/Observation?patient={patient_id}&status=final").json()[
        "total"] == 4


def test_follow_ups_are_communication_requests_and_their_deliveries_communications(
        desk, clinician, engine):
    patient_id, _response, case_id, decision = routed_case(desk, engine)
    sent = follow_up_with_deliveries(engine, case_id, decision.id,
                                     [("failed", "timeout"), ("sent", None)])
    waiting = follow_up_with_deliveries(engine, case_id, decision.id, [])

    requests = {e["resource"]["id"]: e["resource"] for e in clinician.search_all(
        f"/fhir/CommunicationRequest?patient={patient_id}")}
    assert requests[str(sent.id)]["status"] == "completed"
    assert requests[str(waiting.id)]["status"] == "active"
    assert requests[str(sent.id)]["payload"][0]["contentString"] == sent.purpose
    assert clinician.get(f"/fhir/CommunicationRequest?patient={patient_id}&status=active"
                         ).json()["total"] == 1

    deliveries = clinician.search_all(f"/fhir/Communication?patient={patient_id}")
    assert sorted(e["resource"]["status"] for e in deliveries) == ["completed", "stopped"]
    stopped = next(e["resource"] for e in deliveries if e["resource"]["status"] == "stopped")
    assert stopped["statusReason"]["coding"][0]["code"] == "timeout"
    assert stopped["basedOn"][0]["reference"] == f"CommunicationRequest/{sent.id}"
    read = clinician.get(f"/fhir/Communication/{stopped['id']}").json()
    assert read["medium"][0]["coding"][0]["code"] == "email"


def test_the_audit_trail_reads_out_as_balp_style_audit_events_for_admins(
        desk, clinician, admin, engine):
    patient_id, _response, case_id, _decision = routed_case(desk, engine)
    clinician.get(f"/fhir/EpisodeOfCare/{case_id}")
    clinician.get(f"/fhir/Task?patient={patient_id}")

    events = [e["resource"] for e in admin.search_all(f"/fhir/AuditEvent?patient={patient_id}")]
    read = next(e for e in events if any(
        x["what"].get("reference") == f"EpisodeOfCare/{case_id}" for x in e["entity"]))
    assert read["type"]["code"] == "rest" and read["action"] == "R"
    assert read["subtype"][0]["code"] == "read" and read["outcome"] == "0"
    assert read["agent"][0]["requestor"] is True
    assert any(x["what"].get("reference") == f"Patient/{patient_id}" and
               x["role"]["code"] == "1" for x in read["entity"])
    listed = [e for e in events if any(x["what"].get("reference", "").startswith("Task/")
                                       for x in e["entity"])]
    assert listed, "the Task search names this patient's task in its list read"
    one = admin.get(f"/fhir/AuditEvent/{read['id']}").json()
    assert one["id"] == read["id"]
    assert admin.get("/fhir/AuditEvent").status_code == 400  # one patient's trail at a time
    trail_reads = [r for r in audit_rows(engine, "AuditTrail") if r["actor_role"] == "admin"]
    assert trail_reads and str(trail_reads[-1]["patient_id"]) == patient_id


def test_every_read_and_search_of_the_new_resources_is_audited(desk, clinician, engine):
    patient_id, _response, _case_id, decision = routed_case(desk, engine)
    clinician.get(f"/fhir/ClinicalImpression/{decision.id}")
    clinician.get(f"/fhir/RiskAssessment?patient={patient_id}")
    # The trail is append-only: earlier tests' rows stay, so look for this decision's.
    [read] = [r for r in audit_rows(engine, "ClinicalImpression")
              if r["resource_id"] == str(decision.id)]
    assert (read["actor_role"], read["action"], read["resource_id"], str(read["patient_id"])) \
        == ("clinician", "read", str(decision.id), patient_id)
    [search] = [r for r in audit_rows(engine, "RiskAssessment")
                if r["resource_id"] == "fhir/RiskAssessment"
                and r["entities"][0]["patient_id"] == patient_id]
    assert search["entities"] == [{"type": "RiskAssessment", "id": str(decision.id),
                                   "patient_id": patient_id}]


def test_a_patient_reads_only_their_own_episode_and_not_the_clinicians_reasoning(
        desk, as_patient, engine):
    mine, _response, my_case, decision = routed_case(desk, engine)
    _theirs, _other_response, their_case, _ = routed_case(desk, engine)
    patient = as_patient(mine)
    assert patient.get(f"/fhir/EpisodeOfCare/{my_case}").status_code == 200
    hidden = patient.get(f"/fhir/EpisodeOfCare/{their_case}")
    missing = patient.get("/fhir/EpisodeOfCare/00000000-0000-0000-0000-000000000000")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["issue"][0]["code"] == "not-found"
    assert [e["resource"]["id"] for e in patient.get("/fhir/EpisodeOfCare").json()["entry"]] \
        == [my_case]
    assert patient.get(f"/fhir/EpisodeOfCare?patient={their_case}").json()["total"] == 0
    for path in (f"/fhir/ClinicalImpression/{decision.id}", "/fhir/Task",
                 "/fhir/Observation", "/fhir/AuditEvent?patient=" + mine):
        assert patient.get(path).status_code == 403, path


@pytest.mark.parametrize(("role", "path", "expected"), [
    ("front_desk", "/fhir/ClinicalImpression", 403), ("front_desk", "/fhir/Task", 403),
    ("front_desk", "/fhir/Observation", 200), ("front_desk", "/fhir/EpisodeOfCare", 200),
    ("clinician", "/fhir/AuditEvent?patient=x", 403), ("admin", "/fhir/Task", 403),
    ("admin", "/fhir/EpisodeOfCare", 403), ("clinician", "/fhir/Communication", 200)])
def test_each_role_reads_what_the_rest_api_shows_it(as_role, role, path, expected):
    assert as_role(role).get(path).status_code == expected


def test_signed_out_requests_and_unknown_ids_answer_operation_outcomes(fhir_app, clinician,
                                                                      admin):
    anonymous = fhir_app.get("/fhir/Task")
    assert anonymous.status_code == 401
    assert anonymous.json()["resourceType"] == "OperationOutcome"
    assert clinician.get("/fhir/Task/not-a-uuid").status_code == 404
    assert clinician.get("/fhir/Task/00000000-0000-0000-0000-000000000000").status_code == 404
    assert admin.get("/fhir/AuditEvent/99999999999999999999").status_code == 404
