"""ottawa-xray-check recognises ankle and foot X-ray orders by code, else by text, and nothing
else (other modalities, other body parts)."""

from __future__ import annotations

import pytest

from services.intake.cds_hooks.ottawa import xray_orders


def orders(*codes: dict) -> dict:
    return {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "ServiceRequest", "id": f"o{i}", "code": code}}
        for i, code in enumerate(codes)]}


@pytest.mark.parametrize(("code", "region"), [
    ({"coding": [{"system": "http://loinc.org", "code": "36294-7"}]}, "ankle"),
    ({"coding": [{"system": "http://loinc.org", "code": "26098-4"}]}, "ankle"),
    ({"coding": [{"system": "http://loinc.org", "code": "24709-8"}]}, "foot"),
    ({"coding": [{"system": "http://snomed.info/sct", "code": "1597004"}]}, "ankle and foot"),
    ({"coding": [{"system": "http://snomed.info/sct", "code": "1290459008"}]}, "ankle"),
    ({"text": "X-ray right ankle, 3 views"}, "ankle"),
    ({"text": "Plain radiograph of the left foot"}, "foot"),
    ({"coding": [{"system": "urn:local", "code": "XR1", "display": "XR ANKLE LEFT"}]}, "ankle"),
])
def test_an_ankle_or_foot_xray_is_recognised(code, region):
    [order] = xray_orders(orders(code))
    assert order.region == region and order.reference == "ServiceRequest/o0"


@pytest.mark.parametrize("code", [
    {"coding": [{"system": "http://loinc.org", "code": "36643-5"}]},  # XR Chest 2 Views
    {"coding": [{"system": "http://snomed.info/sct", "code": "36294-7"}]},  # LOINC code, wrong system
    {"text": "MRI ankle without contrast"},
    {"text": "CT foot"},
    {"text": "Ultrasound of the ankle"},
    {"text": "X-ray of the knee"},
    {"text": "Ankle brace"},
])
def test_anything_else_is_not(code):
    assert xray_orders(orders(code)) == []


def test_order_select_reads_only_the_selected_orders():
    bundle = orders({"text": "XR ankle"}, {"text": "XR foot"})
    assert [o.reference for o in xray_orders(bundle, ["ServiceRequest/o1"])] == \
        ["ServiceRequest/o1"]
