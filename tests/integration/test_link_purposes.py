"""A patient's link is for what it was sent for (auth/permissions.py LINK_USES), on the API and
FHIR alike: a check-in link answers its check-in and reads the case but opens no new case; an
opt-out link, which lives a year in an email, opts out and reads nothing; a form link opens
and follows its case but answers no check-in."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from services.intake.app import create_app
from services.intake.auth.link_sessions import PAGES_OF_PURPOSE
from services.intake.auth.permissions import GRANTS, LINK_USES, Permission
from shared.models import Role
from shared.patient_links import PatientLink, sign_link
from tests.integration.auth_helpers import bearer, make_user, sign_in
from tests.integration.helpers import patient_payload, twisted_ankle_history

pytestmark = pytest.mark.integration


@pytest.fixture
def api(settings, clean_database):
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def opened_case(api, engine) -> tuple[str, str]:
    """A patient and the case the front desk opened for them."""
    desk = bearer(sign_in(api, make_user(engine, "front_desk").email))
    patient = api.post("/patients", json=patient_payload(), headers=desk).json()["patient"]["id"]
    case = api.post("/cases", json={"patient_id": patient, "history": twisted_ankle_history()},
                    headers=desk)
    assert case.status_code == 201, case.text
    return patient, case.json()["id"]


def link(settings, patient_id: str, purpose: str, case_id: str | None = None) -> dict[str, str]:
    return bearer(sign_link(settings.secret_key, PatientLink(
        patient_id=uuid.UUID(patient_id), purpose=purpose,
        case_id=uuid.UUID(case_id) if case_id else None,
        follow_up_id=uuid.uuid4() if purpose == "check_in" else None)))


def test_a_check_in_link_reads_its_case_but_opens_no_new_one(api, settings, opened_case):
    patient, case = opened_case
    check_in = link(settings, patient, "check_in", case)

    assert api.get(f"/cases/{case}", headers=check_in).status_code == 200
    refused = api.post("/cases", headers=check_in,
                       json={"patient_id": patient, "history": twisted_ankle_history()})
    assert refused.status_code == 403, refused.text
    assert "link is not for this" in refused.text


def test_an_opt_out_link_reads_nothing_and_submits_nothing(api, settings, opened_case):
    patient, case = opened_case
    opt_out = link(settings, patient, "opt_out", case)

    assert api.get(f"/cases/{case}", headers=opt_out).status_code == 403
    assert api.post("/cases", headers=opt_out, json={
        "patient_id": patient, "history": twisted_ankle_history()}).status_code == 403
    assert api.get(f"/fhir/Patient/{patient}", headers=opt_out).status_code == 403
    # The same patient with a form link reads both.
    form = link(settings, patient, "intake")
    assert api.get(f"/cases/{case}", headers=form).status_code == 200
    assert api.get(f"/fhir/Patient/{patient}", headers=form).status_code == 200


def test_a_form_link_answers_no_check_in(api, settings, opened_case):
    patient, _case = opened_case
    answer = api.post("/check-ins", headers=link(settings, patient, "intake"),
                      json={"trend": "same", "improvement_percent": 10})
    assert answer.status_code == 403, answer.text


def test_every_use_of_a_link_is_a_permission_patients_hold():
    for purpose, uses in LINK_USES.items():
        assert uses, purpose
        for permission in uses:
            assert Role.PATIENT in GRANTS[permission], (purpose, permission)
    assert Permission.SUBMIT_INTAKE not in LINK_USES["check_in"]
    assert LINK_USES["opt_out"] <= {Permission.OPT_OUT, Permission.USE_OWN_SESSION}
    # Every purpose a link can have has both its uses and its page.
    assert set(LINK_USES) == set(PAGES_OF_PURPOSE)
