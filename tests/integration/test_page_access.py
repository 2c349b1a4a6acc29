"""The web pages (left out of the OpenAPI schema, so not in test_access_matrix.py): each page
answers each role as the policy below says; forms need the CSRF token; the patient form and
check-in reach the same services as the API."""

from __future__ import annotations

import re
import uuid

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from services.intake.app import create_app
from services.intake.pages import ROUTERS
from services.intake.pages.access import staff_destinations
from services.triage.service import triage_case
from shared.clock import utcnow
from shared.contracts import TriageCase
from shared.db import sync_session
from shared.models import FollowUp, Role, TriageDecision
from shared.patient_links import PatientLink, sign_link
from tests.integration.auth_helpers import PASSWORD, make_user
from tests.integration.helpers import patient_payload, twisted_ankle_history

pytestmark = pytest.mark.integration

STAFF = ("front_desk", "clinician", "admin")
# Page path -> the staff roles that may open it; everyone else signed in gets 403, anonymous
# visitors are sent to the sign-in page.
STAFF_PAGES = {
    "/staff/cases": {"front_desk", "clinician"},
    "/staff/cases/{case_id}/exam": {"front_desk", "clinician"},
    "/staff/board": {"clinician"},
    "/staff/board/fragment": {"clinician"},
    "/staff/cases/{case_id}": {"clinician"},
    "/staff/follow-ups": {"clinician", "admin"},
    "/staff/governance/overrides": {"clinician"},
    "/staff/governance/overrides.csv": {"clinician"},
    "/staff/governance/replays": {"clinician", "admin"},
}
# The pages a staff navigation may list, in its order (the others open from one of these).
NAVIGATION = ("/staff/board", "/staff/cases", "/staff/follow-ups", "/staff/governance/overrides",
              "/staff/governance/replays")
PATIENT_PAGES = ("/form", "/form/done/{case_id}", "/form/status/{case_id}", "/check-in")
PUBLIC_PAGES = ("/sign-in", "/staff")


@pytest.fixture
def web(settings, clean_database, engine):
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


def staff_client(web: TestClient, engine, role: str) -> TestClient:
    email = make_user(engine, role).email
    web.cookies.clear()
    page = web.get("/sign-in")
    token = web.cookies.get("clinic_csrf")
    assert f'name="csrf_token" value="{token}"' in page.text
    answer = web.post("/sign-in", data={"email": email, "password": PASSWORD,
                                        "csrf_token": token, "next": "/staff"})
    if role == "admin":  # an admin's first sign-in sets up a one-time code
        answer = confirm_enrolment_page(web, answer, token)
    assert answer.status_code == 303, answer.text
    return web


def confirm_enrolment_page(web: TestClient, page, csrf_token: str, code: str | None = None):
    ticket = re.search(r'name="ticket" value="([^"]+)"', page.text).group(1)
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    return web.post("/sign-in/enrol", data={"ticket": ticket, "code": code or pyotp.TOTP(
        secret).now(), "csrf_token": csrf_token, "next": "/staff"})


def a_case(web: TestClient, engine, settings) -> tuple[str, str]:
    """A patient and their triaged case, made through the API as front desk."""
    desk = staff_client(web, engine, "front_desk")
    headers = {"X-CSRF-Token": desk.cookies.get("clinic_csrf")}
    patient = desk.post("/patients", json=patient_payload(), headers=headers).json()["patient"]
    case = desk.post("/cases", json={"patient_id": patient["id"],
                                     "history": twisted_ankle_history()}, headers=headers).json()
    with sync_session(engine) as session, session.begin():
        triage_case(session, TriageCase(message_id=uuid.uuid4(), case_id=uuid.UUID(case["id"]),
                                        reason="intake_submitted"), utcnow())
    web.cookies.clear()
    return patient["id"], case["id"]


def test_every_page_route_is_in_this_policy():
    paths = {route.path for router in ROUTERS for route in router.routes
             if "GET" in getattr(route, "methods", ())}
    assert paths == set(STAFF_PAGES) | set(PATIENT_PAGES) | set(PUBLIC_PAGES)


@pytest.mark.parametrize("role", (None, *STAFF))
def test_staff_pages_answer_each_role_as_the_policy_says(web, engine, settings, role):
    _patient, case_id = a_case(web, engine, settings)
    if role:
        staff_client(web, engine, role)
    for path, allowed in STAFF_PAGES.items():
        answer = web.get(path.format(case_id=case_id))
        if role is None:
            assert answer.status_code == 303 and answer.headers["location"].startswith(
                "/sign-in?next=/staff"), path
        elif role in allowed:
            assert answer.status_code == 200, (path, answer.text[:300])
            assert "fragment" in path or path.endswith(".csv") or "<html lang=" in answer.text
        else:
            assert answer.status_code == 403, path


@pytest.mark.parametrize("role", STAFF)
def test_a_roles_navigation_lists_the_pages_it_may_open_and_staff_sends_it_to_the_first(
    web, engine, role
):
    """The navigation comes from the permission table (pages/access.py), and agrees with this
    policy: a link in it always opens, and no page the role may open is missing from it."""
    staff_client(web, engine, role)
    may_open = [path for path in NAVIGATION if role in STAFF_PAGES[path]]

    assert [path for path, _label in staff_destinations(Role(role))] == may_open
    assert web.get("/staff").headers["location"] == may_open[0]


def test_a_patient_link_cannot_open_staff_pages_and_staff_cannot_post_without_the_token(
        web, engine, settings):
    patient_id, case_id = a_case(web, engine, settings)
    token = sign_link(settings.secret_key, PatientLink(uuid.UUID(patient_id), "intake"))
    assert web.get(f"/form?token={token}").status_code == 303
    assert web.get("/staff/board").status_code == 303  # a patient is not signed in as staff

    staff_client(web, engine, "clinician")
    refused = web.post(f"/staff/cases/{case_id}/claim", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    claimed = web.post(f"/staff/cases/{case_id}/claim",
                       data={"csrf_token": web.cookies.get("clinic_csrf")})
    assert claimed.status_code == 303


def test_sign_in_page_gives_one_message_for_a_wrong_password_and_an_unknown_account(web, engine):
    email = make_user(engine, "clinician").email
    web.get("/sign-in")
    token = web.cookies.get("clinic_csrf")
    wrong = web.post("/sign-in", data={"email": email, "password": "nope", "csrf_token": token})
    unknown = web.post("/sign-in", data={"email": "nobody@example.com", "password": "nope",
                                         "csrf_token": token})
    assert wrong.status_code == unknown.status_code == 401
    assert "Email or password is incorrect." in wrong.text and \
        "Email or password is incorrect." in unknown.text


def test_the_patient_form_opens_a_case_or_names_the_missing_answers(web, engine, settings):
    patient_id, _case = a_case(web, engine, settings)
    token = sign_link(settings.secret_key, PatientLink(uuid.UUID(patient_id), "intake"))
    landing = web.get(f"/form?token={token}")
    assert landing.headers["location"] == "/form"
    csrf = web.cookies.get("clinic_csrf")

    incomplete = web.post("/form", data={"csrf_token": csrf, "side": "left", "onset": "injury"})
    assert incomplete.status_code == 422
    assert "Right after it happened, could you take four steps" in incomplete.text

    answers = {"csrf_token": csrf, "side": "left", "onset": "injury",
               "injury_mechanism": "rolled_outward", "high_energy_injury": "no",
               "walked_four_steps_immediately": "no",
               "walks_four_steps_now": "no", "wound_over_injury": "no",
               "pain_locations": ["outside", "heel"], "pain_score": "7", "swelling": "moderate",
               "visible_deformity": "no", "numbness_or_tingling": "no",
               "foot_cold_pale_or_blue": "no", "joint_hot_red_swollen": "no",
               "foot_red_warm_swollen": "no", "fever_or_unwell": "no",
               "saddle_numbness_or_bladder_bowel_change": "no", "diabetes": "no",
               "takes_blood_thinners": "unsure"}
    done = web.post("/form", data=answers)
    assert done.status_code == 303
    case_id = re.fullmatch(r"/form/done/(.+)", done.headers["location"]).group(1)
    assert web.get(f"/form/status/{case_id}").status_code == 200
    spanish = web.get(f"/form/done/{case_id}?lang=es")
    assert '<html lang="es">' in spanish.text and "Gracias" in spanish.text


def test_the_check_in_page_records_answers_for_the_reminders_case(web, engine, settings):
    patient_id, case_id = a_case(web, engine, settings)
    with sync_session(engine) as session, session.begin():
        decision_id = session.exec(select(TriageDecision.id).where(
            TriageDecision.case_id == uuid.UUID(case_id))).first()
        follow_up = FollowUp(case_id=uuid.UUID(case_id), decision_id=decision_id, step=0,
                             kind="check_in", purpose="one-week check", status="sent")
        session.add(follow_up)
    token = sign_link(settings.secret_key, PatientLink(uuid.UUID(patient_id), "check_in",
                                                       follow_up_id=follow_up.id))
    web.get(f"/check-in?token={token}")
    assert web.get("/check-in").status_code == 200
    answer = web.post("/check-in", data={"csrf_token": web.cookies.get("clinic_csrf"),
                                         "trend": "worse",
                                         "new_symptoms": ["cannot_bear_weight"]})
    assert answer.status_code == 200 and "data-seek-care-now" in answer.text
