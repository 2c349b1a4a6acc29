"""CDS Hooks contract: discovery, ankle-triage and ottawa-xray-check answer the shapes of the
specification (checked against the models written from it), with the engine's reasoning."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from fhirclient.models.servicerequest import ServiceRequest
from fhirclient.models.task import Task

from services.intake.app import create_app
from services.intake.cds_hooks.schemas import SUMMARY_LIMIT, Discovery, HookResponse
from shared.models import CdsCard
from tests.integration.auth_helpers import bearer, make_user, sign_in
from tests.integration.cds_hooks_helpers import (
    ANKLE_XRAY,
    CHEST_XRAY,
    Ehr,
    draft_orders,
    hook_call,
    prefetch,
    register,
    xray_order,
)

pytestmark = pytest.mark.integration
BASE = "https://cds.clinic.example"

EMERGENCY = {"onset": "injury", "injury_mechanism": "rolled_outward",
             "walked_four_steps_immediately": False, "walks_four_steps_now": False,
             "pain_locations": ["outside"], "swelling": "moderate",
             "foot_cold_pale_or_blue": True}
SPRAIN_WALKING = {"onset": "injury", "injury_mechanism": "rolled_outward",
                  "walked_four_steps_immediately": True, "walks_four_steps_now": True,
                  "pain_locations": ["outside"], "swelling": "mild", "pain_score": 4,
                  "high_energy_injury": False, "wound_over_injury": False,
                  "visible_deformity": False, "numbness_or_tingling": False,
                  "foot_cold_pale_or_blue": False, "joint_hot_red_swollen": False,
                  "foot_red_warm_swollen": False, "fever_or_unwell": False,
                  "saddle_numbness_or_bladder_bowel_change": False, "diabetes": False,
                  "takes_blood_thinners": False, "side": "left",
                  "onset_date": (date.today() - timedelta(days=2)).isoformat()}
NO_BONY_TENDERNESS = {"tender_lateral_malleolus_posterior_edge_or_tip": False,
                      "tender_medial_malleolus_posterior_edge_or_tip": False,
                      "tender_base_of_fifth_metatarsal": False, "tender_navicular": False,
                      "bears_weight_four_steps_in_clinic": True, "intoxicated": False,
                      "head_injury": False, "multiple_painful_injuries": False,
                      "reduced_sensation": False, "pulses_absent": False}


@pytest.fixture
def cds(settings, clean_database, engine):
    with TestClient(create_app(settings.model_copy(update={"cds_hooks_base_url": BASE}))) \
            as client:
        ehr = Ehr(BASE)
        admin = bearer(sign_in(client, make_user(engine, "admin").email))
        register(client, admin, ehr)
        yield client, ehr


def call(client, ehr, service_id: str, body: dict):
    path = f"/cds-services/{service_id}"
    return client.post(path, json=body, headers=ehr.headers(path))


def only_card(response) -> dict:
    assert response.status_code == 200, response.text
    answer = HookResponse.model_validate(response.json())  # the specification's shape
    assert len(answer.cards) == 1, response.text
    card = response.json()["cards"][0]
    assert len(card["summary"]) < SUMMARY_LIMIT
    return card


def print_card(title: str, card: dict) -> None:
    print(f"\n{title}\n{json.dumps(card, indent=2)}")


def test_discovery_lists_each_service_with_its_hook_prefetch_and_usage(cds):
    client, ehr = cds
    response = client.get("/cds-services", headers=ehr.headers("/cds-services"))

    assert response.status_code == 200, response.text
    services = {s.id: s for s in Discovery.model_validate(response.json()).services}
    assert {(i, s.hook) for i, s in services.items()} == {
        ("ankle-triage", "patient-view"), ("ankle-triage-encounter-start", "encounter-start"),
        ("ottawa-xray-check", "order-sign"), ("ottawa-xray-check-order-select", "order-select")}
    for service in services.values():
        assert service.description and service.usageRequirements
        assert set(service.prefetch) == {"patient", "questionnaireResponses", "observations"}
        assert "{{context.patientId}}" in service.prefetch["questionnaireResponses"]


def test_an_emergency_case_gets_a_critical_card_with_the_reasoning_and_a_referral(cds, engine):
    client, ehr = cds
    patient_id = str(uuid.uuid4())

    card = only_card(call(client, ehr, "ankle-triage",
                          hook_call("patient-view", patient_id,
                                    pre=prefetch(patient_id, EMERGENCY))))

    print_card("EMERGENCY CARD (ankle-triage, patient-view)", card)
    assert card["indicator"] == "critical"
    assert card["summary"].startswith("Emergency: Surgical consult now")
    assert "red\\_flag.neurovascular\\_compromise" in card["detail"]
    assert "cold, pale or blue foot, or absent pulses" in card["detail"]
    assert "### Missing information" in card["detail"]
    assert card["source"]["label"].startswith("Ankle triage rule set 1.4.0")
    assert card["source"]["url"] == f"{BASE}/clinical-evidence/red-flags.md" \
        "#precedence-of-red-flags"
    assert {r["code"] for r in card["overrideReasons"]} >= {"clinical-judgement"}
    [suggestion] = card["suggestions"]
    assert card["selectionBehavior"] == "at-most-one" and suggestion["isRecommended"]
    service_request, task = (action["resource"] for action in suggestion["actions"])
    assert ServiceRequest(service_request, strict=True).priority == "stat"
    parsed = Task(task, strict=True)
    assert parsed.focus.reference == f"ServiceRequest/{service_request['id']}"
    assert parsed.for_fhir.reference == f"Patient/{patient_id}"
    with engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT service_id, advice FROM cds_cards WHERE id = %s",
                                      (uuid.UUID(card["uuid"]),)).one()
    assert stored[0] == "ankle-triage" and stored[1]["urgency"] == "emergency"


def test_the_indicator_follows_the_urgency_warning_for_urgent_info_otherwise(cds):
    client, ehr = cds
    patient_id = str(uuid.uuid4())
    urgent = {**SPRAIN_WALKING, "walked_four_steps_immediately": False,
              "walks_four_steps_now": False}

    cards = {name: only_card(call(client, ehr, "ankle-triage", hook_call(
        "patient-view", patient_id, pre=prefetch(patient_id, history, findings))))
        for name, history, findings in (("urgent", urgent, None),
                                        ("sprain", SPRAIN_WALKING, NO_BONY_TENDERNESS))}

    assert cards["urgent"]["indicator"] == "warning"
    assert "urgent" in cards["urgent"]["summary"]
    assert cards["sprain"]["indicator"] == "info"
    assert "Ottawa rules negative" in cards["sprain"]["detail"]


def test_encounter_start_gives_the_same_advice(cds):
    client, ehr = cds
    patient_id = str(uuid.uuid4())

    card = only_card(call(client, ehr, "ankle-triage-encounter-start", hook_call(
        "encounter-start", patient_id, encounterId="Encounter/e1",
        pre=prefetch(patient_id, EMERGENCY))))

    assert card["indicator"] == "critical"


def test_a_patient_without_pre_visit_answers_gets_no_card(cds):
    client, ehr = cds
    patient_id = str(uuid.uuid4())

    response = call(client, ehr, "ankle-triage",
                    hook_call("patient-view", patient_id, pre=prefetch(patient_id, None)))

    assert response.status_code == 200 and response.json() == {"cards": []}


def test_an_ottawa_negative_ankle_xray_order_gets_a_warning_and_a_withdraw_suggestion(cds):
    client, ehr = cds
    patient_id = str(uuid.uuid4())
    order = xray_order(ANKLE_XRAY, "xr-1")

    card = only_card(call(client, ehr, "ottawa-xray-check", hook_call(
        "order-sign", patient_id, draftOrders=draft_orders(order),
        pre=prefetch(patient_id, SPRAIN_WALKING, NO_BONY_TENDERNESS))))

    print_card("OTTAWA-NEGATIVE X-RAY CARD (ottawa-xray-check, order-sign)", card)
    assert card["indicator"] == "warning"
    assert card["summary"].startswith("Ottawa rules negative")
    assert "no tender bony point, and four steps taken" in card["detail"]
    assert card["source"]["url"] == \
        f"{BASE}/clinical-evidence/ottawa-and-fractures.md#ottawa-ankle-and-foot-rules"
    [suggestion] = card["suggestions"]
    assert suggestion["actions"] == [{"type": "delete",
                                      "description": "Withdraw XR Ankle 3 Views",
                                      "resourceId": ["ServiceRequest/xr-1"]}]


def test_a_plainly_indicated_and_complete_xray_order_gets_no_card(cds):
    client, ehr = cds
    patient_id = str(uuid.uuid4())
    tender = {**NO_BONY_TENDERNESS, "tender_lateral_malleolus_posterior_edge_or_tip": True}

    response = call(client, ehr, "ottawa-xray-check", hook_call(
        "order-sign", patient_id, draftOrders=draft_orders(xray_order(ANKLE_XRAY)),
        pre=prefetch(patient_id, SPRAIN_WALKING, tender)))

    assert response.status_code == 200 and response.json() == {"cards": []}


def test_an_xray_order_without_the_exam_says_which_ottawa_findings_are_missing(cds):
    client, ehr = cds
    patient_id = str(uuid.uuid4())

    card = only_card(call(client, ehr, "ottawa-xray-check", hook_call(
        "order-sign", patient_id, draftOrders=draft_orders(xray_order(ANKLE_XRAY)),
        pre=prefetch(patient_id, SPRAIN_WALKING))))

    assert card["indicator"] == "info"
    assert card["summary"].startswith("Ottawa rules undecided")
    assert "Bony tenderness at the posterior edge or tip of either malleolus?" in \
        card["detail"].replace("\\", "")
    assert "suggestions" not in card


def test_orders_that_are_not_ankle_or_foot_xrays_are_left_alone_without_reading_data(cds):
    client, ehr = cds
    patient_id = str(uuid.uuid4())  # no prefetch and no fhirServer: nothing may be fetched

    response = call(client, ehr, "ottawa-xray-check", hook_call(
        "order-sign", patient_id, draftOrders=draft_orders(xray_order(CHEST_XRAY))))

    assert response.status_code == 200 and response.json() == {"cards": []}


def test_order_select_checks_only_the_selected_orders(cds):
    client, ehr = cds
    patient_id = str(uuid.uuid4())
    text_only = xray_order({"text": "Plain radiograph of the left foot"}, "xr-foot")
    orders = draft_orders(xray_order(CHEST_XRAY, "xr-chest"), text_only)
    pre = prefetch(patient_id, SPRAIN_WALKING, NO_BONY_TENDERNESS)

    chosen = only_card(call(client, ehr, "ottawa-xray-check-order-select", hook_call(
        "order-select", patient_id, selections=["ServiceRequest/xr-foot"], draftOrders=orders,
        pre=pre)))
    other = call(client, ehr, "ottawa-xray-check-order-select", hook_call(
        "order-select", patient_id, selections=["ServiceRequest/xr-chest"],
        draftOrders=orders, pre=pre))

    assert chosen["suggestions"][0]["actions"][0]["resourceId"] == ["ServiceRequest/xr-foot"]
    assert other.json() == {"cards": []}


def test_each_card_is_remembered_with_its_issuer_for_feedback(cds, engine):
    client, ehr = cds
    patient_id = str(uuid.uuid4())

    card = only_card(call(client, ehr, "ankle-triage", hook_call(
        "patient-view", patient_id, pre=prefetch(patient_id, EMERGENCY))))

    from sqlmodel import Session
    with Session(engine) as session:
        stored = session.get(CdsCard, uuid.UUID(card["uuid"]))
    assert stored.issuer == ehr.iss and stored.indicator == "critical"
    assert stored.suggestion_ids == [card["suggestions"][0]["uuid"]]
    assert stored.patient_id is None  # not one of the clinic's patients
