"""People's decisions stand, in a real browser against the real processes: a clinician's
override survives a patient's better check-in; an emergency survives a "better" answer with the
clinician alerted and the engine's suggestion beside the route; a check-in link opened again
shows the answer given; the board, case and exam pages name the patient (name, date of birth
and age, sex, record number)."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import text

from services.intake.patients.identity import age_on
from shared.patient_links import PatientLink, sign_link
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
from tests.integration.helpers import patient_payload, twisted_ankle_history

pytestmark = pytest.mark.browser

BORN = date(1979, 11, 3)
TREND = "Since your last visit, is it better, the same or worse?"


def register(system: RunningSystem, desk_email: str, **history) -> tuple[dict, str]:
    """A patient (female, born BORN) and their case, through the API as front desk."""
    token = system.api.post("/auth/sign-in", json={"email": desk_email, "password": PASSWORD}) \
        .json()["token"]
    patient = system.api.post("/patients", headers=bearer(token), json=patient_payload(
        given_name="Marta", birth_date=BORN.isoformat(), sex="female")).json()["patient"]
    case = system.api.post("/cases", headers=bearer(token), json={
        "patient_id": patient["id"], "history": twisted_ankle_history(**history)}).json()
    return patient, case["id"]


def decisions(engine, case_id: str) -> list[tuple[str, str, str]]:
    """(source, trigger, urgency) of each decision, oldest first."""
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(
            "SELECT source, trigger, urgency FROM triage_decisions WHERE case_id = :c "
            "ORDER BY decided_at"), {"c": case_id})]


def check_in(browser_page: Page, patient: dict, case_id: str, engine, trend: str,
             symptoms: tuple[str, ...] = ()) -> str:
    """Answers a new check-in on the phone; returns its link."""
    link = sign_link(SECRET, PatientLink(
        patient_id=uuid.UUID(patient["id"]), purpose="check_in", case_id=uuid.UUID(case_id),
        follow_up_id=owed_check_in(engine, case_id)))
    browser_page.goto(f"/check-in?token={link}")
    answer(browser_page, TREND, trend)
    for symptom in symptoms:
        browser_page.get_by_label(symptom).check()
    browser_page.get_by_role("button", name="Send").click()
    expect(browser_page.get_by_role("heading", name="Thank you")).to_be_visible()
    return link


def expect_identity(page: Page, scope: str, patient: dict) -> None:
    banner = page.locator(scope).locator("[data-patient-identity]").first
    expect(banner).to_contain_text(f"{patient['family_name'].upper()}, Marta")
    expect(banner).to_contain_text(f"{BORN:%d %b %Y} (age {age_on(BORN, date.today())})")
    expect(banner).to_contain_text("Female")
    expect(banner).to_contain_text(patient["record_number"])


def test_an_override_stands_after_a_better_check_in_and_a_reused_link_shows_the_answer(
        system: RunningSystem, browser: Browser, engine, screenshot):
    base = str(system.api.base_url).rstrip("/")
    desk_email, clinician_email = make_user(engine, "front_desk").email, \
        make_user(engine, "clinician").email
    patient, case_id = register(system, desk_email)
    system.wait_for(lambda: decisions(engine, case_id), 20, "the engine's first decision")

    desk, board = open_context(browser, base, **DESK)
    sign_in(board, clinician_email)
    board.goto("/staff/board")
    expect_identity(board, f'[data-case="{case_id}"]', patient)
    screenshot(board, "decisions-01-board-identity")
    board.goto(f"/staff/cases/{case_id}")
    expect_identity(board, "main", patient)
    board.get_by_label("Queue").select_option("physio")
    board.get_by_label("Urgency").select_option("soon")
    board.get_by_label("Reason (required)").fill("Seen today: stable ankle, rehab first.")
    board.get_by_role("button", name="Override").click()
    expect(board.get_by_role("status")).to_have_text("Your route is recorded as a new decision.")

    phone, form = open_context(browser, base, **PHONE)
    link = check_in(form, patient, case_id, engine, "Better")
    system.wait_for(lambda: ("engine", "follow_up_answered") in {
        d[:2] for d in decisions(engine, case_id)}, 20, "the re-triage after the check-in")

    board.reload()
    expect(board.locator(".route-now")).to_contain_text("physio · soon")
    expect(board.locator(".override-reason")).to_contain_text("rehab first")
    expect(board.locator("table").last).to_contain_text("follow up answered")
    screenshot(board, "decisions-02-override-stands")

    form.goto(f"/check-in?token={link}")  # the same link, opened again
    expect(form.get_by_role("heading", name="You have already answered this check-in"))\
        .to_be_visible()
    expect(form.locator("[data-check-in-answered]")).to_contain_text("call the clinic")
    expect(form.get_by_role("radio")).to_have_count(0)  # no form to answer again
    screenshot(form, "decisions-03-check-in-already-answered")
    assert_accessible(form, "check-in already answered")

    front, exam = open_context(browser, base, **DESK)
    sign_in(exam, desk_email)
    exam.goto(f"/staff/cases/{case_id}/exam")
    expect_identity(exam, "main", patient)
    assert_accessible(exam, "exam entry with identity")
    for page in (board, form, exam):
        assert page.problems == [], page.problems
    for context in (desk, phone, front):
        context.close()


def test_an_emergency_stays_after_a_better_answer_and_the_clinician_is_alerted(
        system: RunningSystem, browser: Browser, engine, smtp_sink, screenshot):
    base = str(system.api.base_url).rstrip("/")
    desk_email = make_user(engine, "front_desk").email
    on_duty = make_user(engine, "clinician")
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET on_duty = true WHERE id = :u"), {"u": on_duty.id})
    patient, case_id = register(system, desk_email, walks_four_steps_now=True,
                                walked_four_steps_immediately=True)
    system.wait_for(lambda: decisions(engine, case_id), 20, "the engine's first decision")

    phone, form = open_context(browser, base, **PHONE)
    check_in(form, patient, case_id, engine, "Worse", ("A cold or pale foot",))
    system.wait_for(lambda: decisions(engine, case_id)[-1][2] == "emergency", 20,
                    "the emergency after the check-in")
    check_in(form, patient, case_id, engine, "Better")
    system.wait_for(lambda: len(decisions(engine, case_id)) == 3, 20, "the second re-triage")
    assert decisions(engine, case_id)[-1][2] != "emergency"  # what the engine alone says

    alert = system.wait_for(lambda: [m for m in smtp_sink.to(on_duty.email)
                                     if m["Subject"] == "A re-triage needs your decision"],
                            20, "the clinician's escalation alert")
    assert case_id in alert[0].get_payload(decode=True).decode()

    desk, board = open_context(browser, base, **DESK)
    sign_in(board, on_duty.email)
    board.goto(f"/staff/cases/{case_id}")
    expect(board.locator(".route-now")).to_contain_text("emergency")
    expect(board.locator(".route-now")).to_contain_text("needs clinician review")
    expect(board.locator("[data-engine-suggestion]")).to_contain_text(
        re.compile(r"The engine now suggests .+ because .+"))
    expect_identity(board, "main", patient)
    screenshot(board, "decisions-04-emergency-kept-with-suggestion")
    assert_accessible(board, "case page with the engine's suggestion")
    board.goto("/staff/board")
    expect(board.locator(f'[data-case="{case_id}"]')).to_contain_text("Needs clinician review")
    for page in (board, form):
        assert page.problems == [], page.problems
    for context in (desk, phone):
        context.close()
