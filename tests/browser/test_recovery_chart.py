"""Recovery in a real browser against the real processes: the patient answers the pain rating
and the function questions on their phone three weeks into care, no better than at the start;
the triage worker finds the case behind its expected course and alerts the clinician; the case
page charts the scores against that course (photographed into artifacts/screenshots/).

Three weeks are not waited for: the case's first decision and a one-week check-in are dated
back in the database, the way a clock moved three weeks on would have left them."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import text

from shared.clinical_record import CHECK_IN_QUESTIONNAIRE_ID, CHECK_IN_QUESTIONNAIRE_VERSION
from shared.patient_links import PatientLink, sign_link
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_decisions_stand import TREND, decisions, register
from tests.browser.test_whole_story import (
    DESK,
    PHONE,
    SECRET,
    answer,
    assert_accessible,
    open_context,
    sign_in,
)
from tests.e2e.system import RunningSystem
from tests.integration.auth_helpers import PASSWORD, bearer, make_user
from tests.integration.decision_helpers import owed_check_in

pytestmark = pytest.mark.browser

FUNCTION = {"Walking around your home": "A little difficulty",
            "Walking outside for 15 minutes": "Some difficulty",
            "Going up or down a flight of stairs": "Some difficulty",
            "Standing for 30 minutes": "Some difficulty",
            "Your usual work, sport or hobbies": "A lot of difficulty"}


def three_weeks_into_care(engine, case_id: str) -> None:
    """The first decision three weeks ago, and a check-in a week after it (pain 7 of 8)."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE triage_decisions SET decided_at = decided_at - "
                          "interval '21 days 1 hour' WHERE case_id = :c"), {"c": case_id})
        conn.execute(text(
            "INSERT INTO intake_responses (id, case_id, questionnaire, questionnaire_version, "
            "status, source, answers, authored_at) SELECT :id, :c, :q, :v, 'completed', "
            "'patient', CAST(:a AS jsonb), min(decided_at) + interval '7 days' "
            "FROM triage_decisions WHERE case_id = :c"),
            {"id": uuid.uuid4(), "c": case_id, "q": CHECK_IN_QUESTIONNAIRE_ID,
             "v": CHECK_IN_QUESTIONNAIRE_VERSION,
             "a": '{"trend": "same", "pain_score": 7, "function_walk_indoors": 3, '
                  '"function_walk_outdoors": 2, "function_stairs": 1, "function_stand": 2, '
                  '"function_usual_activity": 1}'})


def recovery_alerts(engine, case_id: str) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text(
            "SELECT u.email FROM staff_alerts a JOIN users u ON u.id = a.recipient_id "
            "WHERE a.case_id = :c AND a.kind = 'recovery'"), {"c": case_id}).scalars())


def test_scores_behind_the_course_are_charted_on_the_case_page_and_alert_the_clinician(
        system: RunningSystem, browser: Browser, engine, screenshot):
    base = str(system.api.base_url).rstrip("/")
    desk_email = make_user(engine, "front_desk").email
    clinician_email = make_user(engine, "clinician").email
    patient, case_id = register(system, desk_email, pain_score=8,
                                walked_four_steps_immediately=True, walks_four_steps_now=True)
    system.wait_for(lambda: decisions(engine, case_id), 20, "the engine's first decision")
    three_weeks_into_care(engine, case_id)
    token = system.api.post("/auth/sign-in", json={"email": clinician_email,
                                                   "password": PASSWORD}).json()["token"]
    claimed = system.api.post(f"/cases/{case_id}/claim", headers=bearer(token))
    assert claimed.status_code == 200, claimed.text  # the case's clinician is alerted

    phone, form = open_context(browser, base, **PHONE)
    link = sign_link(SECRET, PatientLink(
        patient_id=uuid.UUID(patient["id"]), purpose="check_in", case_id=uuid.UUID(case_id),
        follow_up_id=owed_check_in(engine, case_id)))
    form.goto(f"/check-in?token={link}")
    answer(form, TREND, "The same")
    answer(form, "How bad is the pain at its worst today?", "7")
    for activity, difficulty in FUNCTION.items():
        answer(form, activity, difficulty)
    screenshot(form, "recovery-01-check-in-scores")
    assert_accessible(form, "check-in with pain and function questions")
    form.get_by_role("button", name="Send").click()
    expect(form.get_by_role("heading", name="Thank you")).to_be_visible()
    system.wait_for(lambda: recovery_alerts(engine, case_id), 30,
                    "the clinician's recovery alert")
    assert recovery_alerts(engine, case_id) == [clinician_email]

    desk, board = open_context(browser, base, **DESK)
    sign_in(board, clinician_email)
    board.goto(f"/staff/cases/{case_id}")
    chart = board.locator("[data-recovery-chart]")
    expect(chart).to_be_visible()
    expect(chart.locator("circle")).to_have_count(3 + 2)
    expect(board.locator("[data-recovery-behind]")).to_contain_text(
        "12% better after 21 days of care")
    board.locator("[data-recovery]").scroll_into_view_if_needed()
    screenshot(board, "recovery-02-case-page-chart")
    board.locator("[data-recovery]").screenshot(
        path=str(SCREENSHOTS / "recovery-03-chart-only.png"))
    assert_accessible(board, "case page with the recovery chart")
    for page in (form, board):
        assert page.problems == [], page.problems
    for context in (phone, desk):
        context.close()

