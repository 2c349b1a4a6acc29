"""Patient links as credentials: the token leaves the URL on the first request for a short page
session bound to the link and its pages; staff revoke a patient's links (API and page button)
and every link and session stops at once; one link opens one case while that case is open."""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from services.intake.app import create_app
from shared.clock import utcnow
from shared.patient_links import PatientLink, sign_link
from tests.integration.auth_helpers import PASSWORD, bearer, make_user, sign_in
from tests.integration.helpers import patient_payload, twisted_ankle_history

pytestmark = pytest.mark.integration


@pytest.fixture
def web(settings, clean_database, engine):
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


def signed_in(web: TestClient, engine, role: str) -> dict[str, str]:
    """Bearer headers of a new staff member; the cookies the API sign-in sets are dropped, so
    the browser-side of each test holds only what the patient's link gave it."""
    headers = bearer(sign_in(web, make_user(engine, role).email))
    web.cookies.clear()
    return headers


def signed_in_on_pages(web: TestClient, engine, role: str) -> None:
    """A member of staff signed in through the sign-in page: session and CSRF cookies."""
    web.get("/sign-in")
    answer = web.post("/sign-in", data={"email": make_user(engine, role).email,
                                        "password": PASSWORD, "next": "/staff",
                                        "csrf_token": web.cookies.get("clinic_csrf")})
    assert answer.status_code == 303, answer.text


def registered_patient(web: TestClient, engine) -> tuple[str, dict[str, str]]:
    desk = signed_in(web, engine, "front_desk")
    patient = web.post("/patients", json=patient_payload(), headers=desk).json()["patient"]
    return patient["id"], desk


def issued_link(web: TestClient, patient_id: str, desk: dict[str, str]) -> str:
    answer = web.post(f"/patients/{patient_id}/links", json={"purpose": "intake"}, headers=desk)
    assert answer.status_code == 201, answer.text
    return answer.json()["token"]


def earlier_link(settings, patient_id: str, seconds_ago: int, **fields) -> str:
    """Another link for the patient, signed `seconds_ago` (one signed in the same second as
    another, with the same contents, is the same link)."""
    return sign_link(settings.secret_key, PatientLink(patient_id=uuid.UUID(patient_id),
                                                      purpose="intake", **fields),
                     now=utcnow() - timedelta(seconds=seconds_ago))


def session_cookie(answer) -> SimpleCookie:
    cookies = SimpleCookie()
    for header in answer.headers.get_list("set-cookie"):
        cookies.load(header)
    return cookies


def audit_events(engine, patient_id: str, action: str) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(
            "SELECT actor_role, resource_type FROM audit_events WHERE patient_id = :p "
            "AND action = :a"), {"p": patient_id, "a": action})]


FORM_ANSWERS = {"side": "left", "onset": "injury", "injury_mechanism": "rolled_outward",
                "high_energy_injury": "no", "walked_four_steps_immediately": "no",
                "walks_four_steps_now": "no", "wound_over_injury": "no",
                "pain_locations": ["outside"], "pain_score": "7", "swelling": "moderate",
                "visible_deformity": "no", "numbness_or_tingling": "no",
                "foot_cold_pale_or_blue": "no", "joint_hot_red_swollen": "no",
                "foot_red_warm_swollen": "no", "fever_or_unwell": "no",
                "saddle_numbness_or_bladder_bowel_change": "no", "diabetes": "no",
                "takes_blood_thinners": "no"}


# --- The token leaves the URL for a page session ----------------------------------------


@pytest.mark.parametrize(("purpose", "page"), [("intake", "/form"), ("check_in", "/check-in"),
                                               ("opt_out", "/opt-out")])
def test_a_link_is_traded_for_a_short_http_only_session_sent_only_to_its_own_page(
        web, engine, settings, purpose, page):
    patient_id, _desk = registered_patient(web, engine)
    token = sign_link(settings.secret_key, PatientLink(
        patient_id=uuid.UUID(patient_id), purpose=purpose, follow_up_id=uuid.uuid4()))

    landing = web.get(f"/form?token={token}")

    assert landing.status_code == 303 and landing.headers["location"] == page
    assert token not in landing.headers["location"]
    cookie = session_cookie(landing)["clinic_patient"]
    assert cookie.value and token not in cookie.value  # a credential of its own, not the link
    assert cookie["httponly"] is True and cookie["samesite"].lower() == "lax"
    assert cookie["path"] == page  # never sent to another page, nor to the API
    assert 0 < int(cookie["max-age"]) <= 2 * 3600  # hours, not the link's 14 days
    assert not cookie["secure"]  # plain http outside production (next test: production)


def test_a_month_old_opt_out_link_still_opens_its_page_but_not_the_api(web, engine, settings):
    patient_id, _desk = registered_patient(web, engine)
    month_ago = utcnow() - timedelta(days=30)
    opt_out = sign_link(settings.secret_key, PatientLink(uuid.UUID(patient_id), "opt_out"),
                        now=month_ago)
    intake = sign_link(settings.secret_key, PatientLink(uuid.UUID(patient_id), "intake"),
                       now=month_ago)

    landing = web.get(f"/form?token={opt_out}")
    assert landing.status_code == 303 and landing.headers["location"] == "/opt-out"
    assert web.get(f"/form?token={intake}").status_code == 401  # 14 days for other links
    assert web.post("/cases", headers=bearer(opt_out), json={
        "patient_id": patient_id, "history": twisted_ankle_history()}).status_code == 401


def test_in_production_the_page_session_cookie_is_secure(settings, clean_database, engine):
    production = settings.model_copy(update={"env": "production",
                                             "secret_key": "a-real-production-secret-0123456789"})
    with TestClient(create_app(production), follow_redirects=False,
                    base_url="https://testserver") as web:
        patient_id, desk = registered_patient(web, engine)
        landing = web.get(f"/form?token={issued_link(web, patient_id, desk)}")
    assert session_cookie(landing)["clinic_patient"]["secure"] is True


def test_the_page_session_opens_the_form_but_is_no_link_and_the_link_is_no_session(
        web, engine, settings):
    patient_id, desk = registered_patient(web, engine)
    token = issued_link(web, patient_id, desk)
    page_session = session_cookie(web.get(f"/form?token={token}"))["clinic_patient"].value

    assert web.get("/form").status_code == 200
    # The session cookie is no Bearer link, and a cookie holding the link itself (as this
    # service used to set) opens nothing: only a fresh trade through the URL does.
    assert web.post("/cases", headers=bearer(page_session), json={
        "patient_id": patient_id, "history": twisted_ankle_history()}).status_code == 401
    web.cookies.clear()
    web.cookies.set("clinic_patient", token, path="/form")
    assert web.get("/form").status_code == 401


def opt_out_link(settings, patient_id: str) -> str:
    return sign_link(settings.secret_key, PatientLink(uuid.UUID(patient_id), "opt_out"))


def opted_out(engine, patient_id: str) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text(
            "SELECT channel FROM channel_opt_outs WHERE patient_id = :p"),
            {"p": patient_id}).scalars())


def test_the_opt_out_link_is_traded_for_a_session_and_the_clean_page_keeps_the_channel(
        web, engine, settings):
    desk = signed_in(web, engine, "front_desk")
    patient_id = web.post("/patients", json=patient_payload(preferred_language="es"),
                          headers=desk).json()["patient"]["id"]
    token = opt_out_link(settings, patient_id)

    landing = web.get(f"/opt-out?token={token}&channel=sms")

    assert landing.status_code == 303
    assert landing.headers["location"] == "/opt-out?channel=sms"  # no secret in the query
    cookie = session_cookie(landing)["clinic_patient"]
    assert cookie.value and token not in cookie.value and cookie["path"] == "/opt-out"
    assert cookie["httponly"] is True and 0 < int(cookie["max-age"]) <= 2 * 3600
    page = web.get(landing.headers["location"])
    assert page.status_code == 200
    assert '<html lang="es">' in page.text and "¿Dejar de recibir" in page.text
    assert token not in page.text and token.split(".")[-1] not in page.text
    assert 'name="token"' not in page.text and 'name="channel" value="sms"' in page.text
    assert opted_out(engine, patient_id) == []  # opening the page changes nothing

    confirmed = web.post("/opt-out", data={"csrf_token": web.cookies.get("clinic_csrf"),
                                           "channel": "sms"})

    assert confirmed.status_code == 200 and '<html lang="es">' in confirmed.text
    assert opted_out(engine, patient_id) == ["sms"]


def test_the_opt_out_button_needs_the_page_session_and_its_csrf_token(web, engine, settings):
    patient_id, _desk = registered_patient(web, engine)
    web.get(f"/opt-out?token={opt_out_link(settings, patient_id)}")

    forged = web.post("/opt-out", data={"csrf_token": "forged", "channel": "email"})
    web.cookies.delete("clinic_patient", path="/opt-out")
    no_session = web.post("/opt-out", data={"csrf_token": web.cookies.get("clinic_csrf"),
                                            "channel": "email"})

    assert forged.status_code == 403 and no_session.status_code == 401
    assert web.get("/opt-out").status_code == 401  # the clean page, without a session
    assert opted_out(engine, patient_id) == []


def test_a_session_of_another_links_purpose_stops_nothing(web, engine, settings):
    patient_id, desk = registered_patient(web, engine)
    form_session = session_cookie(web.get(f"/form?token={issued_link(web, patient_id, desk)}"))
    web.cookies.set("clinic_patient", form_session["clinic_patient"].value, path="/opt-out")

    assert web.get("/opt-out").status_code == 401
    answer = web.post("/opt-out", data={"csrf_token": web.cookies.get("clinic_csrf"),
                                        "channel": "email"})
    assert answer.status_code == 401
    assert opted_out(engine, patient_id) == []


def test_the_one_click_post_needs_no_cookies_but_a_withdrawn_link_stops_nothing(
        web, engine, settings):
    patient_id, desk = registered_patient(web, engine)
    token = opt_out_link(settings, patient_id)
    web.get(f"/opt-out?token={token}")
    csrf = web.cookies.get("clinic_csrf")
    assert web.post(f"/patients/{patient_id}/links/revoke", headers=desk).status_code == 200

    page = web.get("/opt-out")  # the session opened with the withdrawn link
    button = web.post("/opt-out", data={"csrf_token": csrf, "channel": "email"})
    web.cookies.clear()  # a mail client: no cookies, the token in the URL is the credential
    one_click = web.post(f"/opt-out?token={token}&channel=email",
                         data={"List-Unsubscribe": "One-Click"})
    api = web.post("/opt-out", json={"token": token, "channel": "email"})

    assert page.status_code == 401 and "ask the clinic for a new link" in page.text.lower()
    assert button.status_code == 401 and one_click.status_code == 401
    assert api.status_code == 401
    assert opted_out(engine, patient_id) == []
    new_token = sign_link(settings.secret_key, PatientLink(uuid.UUID(patient_id), "opt_out",
                                                           generation=1))
    assert web.post(f"/opt-out?token={new_token}&channel=sms",
                    data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert web.post("/opt-out", json={"token": new_token, "channel": "email"}).json() == \
        {"opted_out": 1}
    assert sorted(opted_out(engine, patient_id)) == ["email", "sms"]


# --- Staff revoke a patient's links -------------------------------------------------------


def test_revoking_a_patients_links_stops_every_link_and_page_session_at_once(
        web, engine, settings):
    patient_id, desk = registered_patient(web, engine)
    old_link = issued_link(web, patient_id, desk)
    case = web.post("/cases", headers=bearer(old_link), json={
        "patient_id": patient_id, "history": twisted_ankle_history()})
    assert case.status_code == 201
    case_id = case.json()["id"]
    web.get(f"/form?token={old_link}")
    assert web.get(f"/form/done/{case_id}").status_code == 200

    revoked = web.post(f"/patients/{patient_id}/links/revoke", headers=desk)

    assert revoked.status_code == 200, revoked.text
    refused_page = web.get(f"/form/done/{case_id}")  # the session cookie of the old link
    assert refused_page.status_code == 401
    assert "ask the clinic for a new link" in refused_page.text.lower()
    assert web.get(f"/cases/{case_id}", headers=bearer(old_link)).status_code == 401
    again = web.get(f"/form?token={old_link}")
    assert again.status_code == 401 and "withdrawn" in again.text
    assert audit_events(engine, patient_id, "revoke") == [("front_desk", "PatientLink")]

    new_link = issued_link(web, patient_id, desk)  # issued after: works
    assert web.get(f"/cases/{case_id}", headers=bearer(new_link)).status_code == 200
    assert web.get(f"/form?token={new_link}").status_code == 303


def test_revoking_one_patients_links_leaves_other_patients_links_working(web, engine, settings):
    patient_id, desk = registered_patient(web, engine)
    other_id = web.post("/patients", json=patient_payload(), headers=desk).json()["patient"]["id"]
    others_link = issued_link(web, other_id, desk)

    assert web.post(f"/patients/{patient_id}/links/revoke", headers=desk).status_code == 200

    assert web.get(f"/form?token={others_link}").status_code == 303
    missing = web.post(f"/patients/{uuid.uuid4()}/links/revoke", headers=desk)
    assert missing.status_code == 404


def test_a_clinician_withdraws_the_patients_links_from_the_case_page(web, engine, settings):
    patient_id, desk = registered_patient(web, engine)
    link = issued_link(web, patient_id, desk)
    case_id = web.post("/cases", headers=bearer(link), json={
        "patient_id": patient_id, "history": twisted_ankle_history()}).json()["id"]
    signed_in_on_pages(web, engine, "clinician")

    page = web.get(f"/staff/cases/{case_id}")
    assert page.status_code == 200
    action = f"/staff/patients/{patient_id}/links/revoke"
    assert f'action="{action}"' in page.text and "Withdraw this patient's links" in page.text
    answer = web.post(action, data={"csrf_token": web.cookies.get("clinic_csrf"),
                                    "next": f"/staff/cases/{case_id}"})

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/staff/cases/{case_id}?links_revoked=1"
    assert "links are withdrawn" in web.get(answer.headers["location"]).text
    assert web.get(f"/cases/{case_id}", headers=bearer(link)).status_code == 401
    assert audit_events(engine, patient_id, "revoke") == [("clinician", "PatientLink")]


def test_the_revoke_button_needs_the_csrf_token(web, engine, settings):
    patient_id, _desk = registered_patient(web, engine)
    signed_in_on_pages(web, engine, "clinician")
    forged = web.post(f"/staff/patients/{patient_id}/links/revoke",
                      data={"csrf_token": "forged", "next": "/staff/board"})
    assert forged.status_code == 403
    assert audit_events(engine, patient_id, "revoke") == []


# --- One open pre-visit case per link -----------------------------------------------------


def test_a_second_case_through_the_same_link_answers_409_naming_the_open_case(
        web, engine, settings):
    patient_id, desk = registered_patient(web, engine)
    link = bearer(issued_link(web, patient_id, desk))
    body = {"patient_id": patient_id, "history": twisted_ankle_history()}
    first = web.post("/cases", headers=link, json=body)
    assert first.status_code == 201

    second = web.post("/cases", headers=link, json=body)
    retried = web.post("/cases", headers={**link, "Idempotency-Key": str(uuid.uuid4())},
                       json=body)

    for refused in (second, retried):
        assert refused.status_code == 409, refused.text
        assert refused.json()["open_case_id"] == first.json()["id"]
        assert first.json()["id"] in refused.json()["detail"][0]["msg"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cases WHERE patient_id = :p"),
                            {"p": patient_id}).scalar() == 1
    # Another link, and the front desk, may still open a case for the patient.
    other_link = bearer(earlier_link(settings, patient_id, seconds_ago=5))
    assert web.post("/cases", headers=other_link, json=body).status_code == 201
    assert web.post("/cases", headers=desk, json=body).status_code == 201


def test_submissions_racing_through_one_link_open_one_case(web, engine, settings):
    patient_id, desk = registered_patient(web, engine)
    link = bearer(issued_link(web, patient_id, desk))
    body = {"patient_id": patient_id, "history": twisted_ankle_history()}

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: web.post("/cases", headers=link, json=body), range(8)))

    created = [a.json()["id"] for a in answers if a.status_code == 201]
    assert len(created) == 1, [a.status_code for a in answers]
    assert {a.status_code for a in answers} == {201, 409}
    assert {a.json()["open_case_id"] for a in answers if a.status_code == 409} == set(created)


def test_the_form_sent_twice_through_one_link_shows_where_the_first_answers_are(
        web, engine, settings):
    patient_id, desk = registered_patient(web, engine)
    web.get(f"/form?token={issued_link(web, patient_id, desk)}")
    answers = {**FORM_ANSWERS, "csrf_token": web.cookies.get("clinic_csrf")}
    first = web.post("/form", data=answers)
    assert first.status_code == 303
    case_id = re.fullmatch(r"/form/done/(.+)", first.headers["location"]).group(1)

    second = web.post("/form", data=answers)

    assert second.status_code == 409
    assert "Your answers are already with the clinic" in second.text
    assert f'href="/form/done/{case_id}"' in second.text
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cases WHERE patient_id = :p"),
                            {"p": patient_id}).scalar() == 1
