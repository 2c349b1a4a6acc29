"""CDS Hooks feedback: accepted and overridden cards are recorded beside the case's engine
decision, with the override reason and comment, in the audit trail, and on the case page."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from services.intake.app import create_app
from services.triage.service import triage_case
from shared.clock import utcnow
from shared.contracts import TriageCase
from shared.db import sync_session
from tests.integration.auth_helpers import bearer, make_user, sign_in
from tests.integration.cds_hooks_helpers import Ehr, bundle, hook_call, patient, register
from tests.integration.helpers import create_patient, submit_intake
from tests.integration.test_cds_hooks_services import BASE

pytestmark = pytest.mark.integration
TRIAGE = "/cds-services/ankle-triage"
FEEDBACK = TRIAGE + "/feedback"
REASON = {"system": "https://ankle-triage.clinic/fhir/CodeSystem/cds-override-reason",
          "code": "examined-differently", "display": "Examined in person: the findings differ"}


@pytest.fixture
def clinic(settings, clean_database, engine):
    with TestClient(create_app(settings.model_copy(update={"cds_hooks_base_url": BASE}))) \
            as client:
        ehr = Ehr(BASE)
        register(client, bearer(sign_in(client, make_user(engine, "admin").email)), ehr)
        desk = bearer(sign_in(client, make_user(engine, "front_desk").email))
        client.headers.update(desk)
        person = create_patient(client)
        case = submit_intake(client, person["id"])
        with sync_session(engine) as session, session.begin():
            decision = triage_case(session.connection(), TriageCase(
                message_id=uuid.uuid4(), case_id=uuid.UUID(case["id"]),
                reason="intake_submitted"), utcnow())
        client.headers.pop("Authorization")
        responses = client.get(f"/fhir/QuestionnaireResponse?patient={person['id']}",
                               headers=desk).json()
        pre = {"patient": patient(person["id"], person["birth_date"]),
               "questionnaireResponses": responses, "observations": bundle()}
        yield client, ehr, person, case["id"], decision.id, pre


def card_for(client, ehr, patient_id: str, pre: dict) -> dict:
    response = client.post(TRIAGE, json=hook_call("patient-view", patient_id, pre=pre),
                           headers=ehr.headers(TRIAGE))
    assert response.status_code == 200, response.text
    return response.json()["cards"][0]


def send(client, ehr, *items: dict):
    return client.post(FEEDBACK, json={"feedback": list(items)}, headers=ehr.headers(FEEDBACK))


def now() -> str:
    return datetime.now(UTC).isoformat()


def test_a_card_about_a_clinic_patient_links_their_case(clinic):
    client, ehr, person, case_id, _decision, pre = clinic
    card = card_for(client, ehr, person["id"], pre)
    assert card["links"] == [{"label": "Open the case in the triage clinic",
                              "url": f"{BASE}/staff/cases/{case_id}", "type": "absolute"}]


def test_accepted_and_overridden_cards_are_recorded_beside_the_engine_decision(clinic, engine):
    client, ehr, person, case_id, decision_id, pre = clinic
    accepted = card_for(client, ehr, person["id"], pre)
    overridden = card_for(client, ehr, person["id"], pre)

    response = send(client, ehr,
                    {"card": accepted["uuid"], "outcome": "accepted", "outcomeTimestamp": now(),
                     "acceptedSuggestions": [{"id": accepted["suggestions"][0]["uuid"]}]},
                    {"card": overridden["uuid"], "outcome": "overridden",
                     "outcomeTimestamp": now(),
                     "overrideReason": {"reason": REASON,
                                        "userComment": "No bony tenderness on my exam"}})

    assert response.status_code == 200, response.text
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT outcome, case_id, decision_id, accepted_suggestions, override_reason_code, "
            "user_comment FROM cds_feedback ORDER BY outcome")).all()
        audit = conn.execute(text(
            "SELECT action, resource_id FROM audit_events WHERE resource_type = 'CdsCard' "
            "AND action IN ('accept', 'override') AND patient_id = :p"),
            {"p": person["id"]}).all()
    assert [(r[0], str(r[1]), r[2]) for r in rows] == [
        ("accepted", case_id, decision_id), ("overridden", case_id, decision_id)]
    assert rows[0][3] == [accepted["suggestions"][0]["uuid"]]
    assert rows[1][4:] == ("examined-differently", "No bony tenderness on my exam")
    assert sorted(audit) == sorted([("accept", accepted["uuid"]),
                                    ("override", overridden["uuid"])])


def test_the_override_reason_appears_on_the_case_page(clinic, engine):
    client, ehr, person, case_id, _decision, pre = clinic
    card = card_for(client, ehr, person["id"], pre)
    send(client, ehr, {"card": card["uuid"], "outcome": "overridden", "outcomeTimestamp": now(),
                       "overrideReason": {"reason": REASON, "userComment": "Seen in clinic"}})

    clinician = bearer(sign_in(client, make_user(engine, "clinician").email))
    page = client.get(f"/staff/cases/{case_id}", headers=clinician)

    assert page.status_code == 200
    assert "Advice in the EHR (CDS Hooks)" in page.text
    assert "Reason: Examined in person: the findings differ; comment: Seen in clinic" in page.text


def test_the_same_feedback_twice_is_recorded_once(clinic, engine):
    client, ehr, person, _case, _decision, pre = clinic
    card = card_for(client, ehr, person["id"], pre)
    item = {"card": card["uuid"], "outcome": "overridden", "outcomeTimestamp": now()}

    assert send(client, ehr, item).status_code == 200
    assert send(client, ehr, item).status_code == 200

    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cds_feedback")).scalar() == 1


@pytest.mark.parametrize("problem", ["unknown card", "unknown suggestion", "reason on accept",
                                     "no timestamp", "bad outcome", "empty"])
def test_malformed_feedback_is_400(clinic, problem):
    client, ehr, person, _case, _decision, pre = clinic
    card = card_for(client, ehr, person["id"], pre)
    base = {"card": card["uuid"], "outcome": "accepted", "outcomeTimestamp": now()}
    items = {
        "unknown card": [{**base, "card": str(uuid.uuid4())}],
        "unknown suggestion": [{**base, "acceptedSuggestions": [{"id": "made-up"}]}],
        "reason on accept": [{**base, "overrideReason": {"userComment": "x"}}],
        "no timestamp": [{k: v for k, v in base.items() if k != "outcomeTimestamp"}],
        "bad outcome": [{**base, "outcome": "ignored"}],
        "empty": [],
    }[problem]
    assert send(client, ehr, *items).status_code == 400


def test_feedback_from_another_ehr_about_this_card_is_refused(clinic, engine):
    client, ehr, person, _case, _decision, pre = clinic
    card = card_for(client, ehr, person["id"], pre)
    other = Ehr(BASE, iss="https://other-ehr.example")
    register(client, bearer(sign_in(client, make_user(engine, "admin").email)), other)

    response = client.post(FEEDBACK, headers=other.headers(FEEDBACK), json={"feedback": [
        {"card": card["uuid"], "outcome": "accepted", "outcomeTimestamp": now()}]})
    unsigned = client.post(FEEDBACK, json={"feedback": []})

    assert response.status_code == 400
    assert unsigned.status_code == 401
