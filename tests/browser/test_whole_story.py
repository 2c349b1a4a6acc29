"""The whole story in a real browser: a patient fills the form on a phone; the case appears on
the clinician board routed as the engine decided; staff add exam findings and the route
updates; a clinician claims, overrides with a reason and completes. Every page is checked with
axe-core (no serious or critical violation) and photographed into artifacts/screenshots/."""

from __future__ import annotations

import re
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import text

from shared.patient_links import PatientLink, sign_link
from tests.e2e.system import RunningSystem
from tests.e2e.test_log_hygiene import redis_dump
from tests.integration.auth_helpers import PASSWORD, bearer, make_user
from tests.integration.helpers import patient_payload

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
DESK = {"viewport": {"width": 1280, "height": 900}}
SECRET = "e2e-secret-key"  # the system fixture's CLINIC_SECRET_KEY
_axe = Axe()


def assert_accessible(page: Page, name: str) -> None:
    violations = [v for v in _axe.run(page).response["violations"]
                  if v["impact"] in ("serious", "critical")]
    assert not violations, f"{name}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}" for v in violations)


def open_context(browser: Browser, base_url: str, **options) -> tuple[BrowserContext, Page]:
    context = browser.new_context(base_url=base_url, **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.problems = problems  # CSP refusals and script errors show up here
    return context, page


def sign_in(page: Page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def answer(page: Page, question: str, option: str) -> None:
    page.get_by_role("group", name=question).get_by_label(option, exact=True).check()


def next_step(page: Page, heading: str) -> None:
    page.locator(".step.current").get_by_role("button", name="Next").click()
    expect(page.locator(".step.current h2")).to_have_text(heading)


def test_patient_form_to_board_exam_override_and_completion(
        system: RunningSystem, browser: Browser, engine, redis_url, screenshot):
    base = str(system.api.base_url).rstrip("/")
    desk_email, clinician_email = make_user(engine, "front_desk").email, \
        make_user(engine, "clinician").email
    desk_token = system.api.post("/auth/sign-in", json={"email": desk_email,
                                                        "password": PASSWORD}).json()["token"]
    patient = system.api.post("/patients", json=patient_payload(),
                              headers=bearer(desk_token)).json()["patient"]
    link = system.api.post(f"/patients/{patient['id']}/links", json={"purpose": "intake"},
                           headers=bearer(desk_token)).json()

    # --- The patient, on a phone ---------------------------------------------------------
    phone, form = open_context(browser, base, **PHONE)
    form.goto(f"/form?token={link['token']}")
    assert form.url == f"{base}/form"  # the token left the address bar
    expect(form.locator(".progress-text")).to_have_text("Step 1 of 8")
    screenshot(form, "01-patient-form-step-1")
    assert_accessible(form, "pre-visit form")
    answer(form, "Which leg is it?", "Left")
    answer(form, "How did it start?", "With an injury: a twist, fall, knock or landing")
    next_step(form, "How it happened")
    expect(form.locator(".progress-text")).to_have_text("Step 2 of 8")
    answer(form, "What happened?", "My foot turned in and the ankle rolled out")
    answer(form, "Did it happen in a road accident", "No")
    answer(form, "Right after it happened, could you take four steps on your own? "
                 "(Limping counts.)", "No")
    answer(form, "Can you take four steps now? (Limping counts.)", "No")
    answer(form, "Is there a cut or open wound where it hurts?", "No")
    next_step(form, "Where it hurts")
    form.locator("[data-region=outside]").first.click()  # tapping the picture ticks the box
    expect(form.get_by_label("Outer ankle bone")).to_be_checked()
    answer(form, "How bad is the pain at its worst today?", "7")
    screenshot(form, "02-patient-form-body-map")
    next_step(form, "What you notice")

    # A missing answer is named; a reload (and a switch to Spanish) loses nothing.
    form.locator(".step.current").get_by_role("button", name="Next").click()
    expect(form.locator(".step.current .step-errors")).to_contain_text(
        "Is it swollen?: please answer this question")
    screenshot(form, "03-patient-form-missing-answer")
    answer(form, "Is it swollen?", "Quite a lot")
    form.goto("/form?lang=es")
    expect(form.locator("html")).to_have_attribute("lang", "es")
    expect(form.locator(".step.current h2")).to_have_text("Lo que nota")
    expect(form.get_by_label("Bastante").first).to_be_checked()
    screenshot(form, "04-patient-form-spanish")
    form.goto("/form?lang=en")
    answer(form, "Does the ankle or leg look bent or out of shape?", "No")
    next_step(form, "Important warning signs")
    for question in ("Is your foot numb or tingling?", "Is your foot cold, pale or blue?",
                     "Is the joint hot, red and swollen?",
                     "Is the whole foot red, warm and swollen, with no cut in the skin?",
                     "Do you have a fever or feel unwell?",
                     ("Do you have numbness between your legs, or new problems controlling "
                      "your bladder or bowels?")):
        answer(form, question, "No")
    next_step(form, "Activity and health")
    answer(form, "Do you have diabetes?", "No")
    expect(form.get_by_role("group", name="Do you have a sore or ulcer on your foot?")) \
        .to_be_hidden()
    answer(form, "Do you take blood thinners?", "No")
    next_step(form, "What you have tried")
    result = form.get_by_role("group", name="What did the X-ray show?")
    expect(result).to_be_hidden()  # asked only about imaging the patient ticks
    answer(form, "Have you already had an X-ray or scan for this problem?", "X-ray")
    expect(result).to_be_visible()
    answer(form, "What did the X-ray show?", "I don't know the result")
    next_step(form, "Ready to send")
    form.get_by_role("button", name="Send my answers").click()
    form.wait_for_url(re.compile(r"/form/done/"))
    case_id = form.url.rsplit("/", 1)[1]
    expect(form.locator("[data-poll-done]")).to_be_visible(timeout=20_000)
    screenshot(form, "05-patient-confirmation")
    assert_accessible(form, "confirmation")

    # --- The clinician's board shows the case where the engine routed it ------------------
    desk, board = open_context(browser, base, **DESK)
    board.goto("/staff/board")
    expect(board).to_have_url(re.compile(r"/sign-in\?next=/staff/board"))
    screenshot(board, "06-sign-in")
    assert_accessible(board, "sign-in")
    sign_in(board, clinician_email)
    expect(board).to_have_url(f"{base}/staff/board")
    engine_route = column_of(system, clinician_email, case_id)
    card = board.locator(f'[data-queue="{engine_route}"] [data-case="{case_id}"]')
    expect(card).to_be_visible()
    screenshot(board, "07-board-engine-route")
    assert_accessible(board, "queue board")

    # --- Front desk records the exam; the board moves the case without a reload ----------
    front, exam = open_context(browser, base, **DESK)
    sign_in(exam, desk_email)
    exam.goto("/staff/cases")
    exam.get_by_role("link", name=re.compile(f"Record exam for {patient['given_name']}")).click()
    expect(exam.get_by_role("heading", name="History (pre-visit form)")).to_be_visible()
    expect(exam.locator(".history")).to_contain_text("X-ray: I don't know the result")
    assert_accessible(exam, "exam entry")
    for finding in ("Calf squeeze: no plantarflexion (Thompson)",
                    "Palpable gap in the Achilles"):
        exam.get_by_role("group", name=finding).get_by_label("Yes", exact=True).check()
    exam.get_by_role("group", name="Anterior drawer positive").get_by_label(
        "No", exact=True).check()
    screenshot(exam, "08-exam-entry")
    exam.get_by_role("button", name="Record findings").click()
    expect(exam.get_by_role("status")).to_contain_text("3 finding(s) recorded")

    moved = board.locator(f'[data-case="{case_id}"]')
    expect(moved.locator(".route-change")).to_contain_text("after exam", timeout=20_000)
    exam_route = column_of(system, clinician_email, case_id)
    assert exam_route != engine_route
    expect(board.locator(f'[data-queue="{exam_route}"] [data-case="{case_id}"]')).to_be_visible()
    screenshot(board, "09-board-after-exam")

    # --- Follow-ups page (reminders are scheduled once the case is routed) ---------------
    system.wait_for(lambda: follow_up_of(engine, case_id), 15, "follow-ups to be scheduled")
    board.goto("/staff/follow-ups")
    expect(board.get_by_role("heading", name=re.compile("Upcoming"))).to_be_visible()
    expect(board.locator("table").last).to_contain_text(case_id[:8])
    screenshot(board, "10-follow-ups")
    assert_accessible(board, "follow-ups")

    # --- The patient answers a check-in from their reminder link --------------------------
    check_in_link = sign_link(SECRET, PatientLink(
        patient_id=uuid.UUID(patient["id"]), purpose="check_in", case_id=uuid.UUID(case_id),
        follow_up_id=follow_up_of(engine, case_id)))
    form.goto(f"/check-in?token={check_in_link}")
    screenshot(form, "11-check-in")
    assert_accessible(form, "check-in")
    answer(form, "Since your last visit, is it better, the same or worse?", "The same")
    form.get_by_label("Roughly how much better, in percent?").fill("10")
    answer(form, "Were you able to follow the advice you were given?", "Yes")
    form.get_by_role("button", name="Send").click()
    expect(form.get_by_role("heading", name="Thank you")).to_be_visible()
    screenshot(form, "12-check-in-done")

    # --- The clinician claims, overrides with a reason, and completes ---------------------
    board.goto(f"/staff/cases/{case_id}")
    expect(board.get_by_role("heading", name="Why")).to_be_visible()
    expect(board.locator(".history")).to_contain_text("Outer ankle bone")
    screenshot(board, "13-case-page")
    assert_accessible(board, "case page")
    board.get_by_role("button", name="Claim").click()
    expect(board.get_by_role("status")).to_have_text("You have claimed this case.")
    board.get_by_label("Queue").select_option("physio")
    expect(board.get_by_label("Imaging")).to_be_hidden()
    board.get_by_label("Urgency").select_option("soon")
    board.get_by_label("Reason (required)").fill("Too short")
    board.get_by_role("button", name="Override").click()
    expect(board.get_by_role("alert")).to_contain_text("Give a reason")  # server-side check
    board.get_by_label("Reason (required)").fill(
        "Examined in person: partial tear only, functional rehab first.")
    board.get_by_role("button", name="Override").click()
    expect(board.get_by_role("status")).to_have_text("Your route is recorded as a new decision.")
    expect(board.locator(".override-reason")).to_contain_text("partial tear only")
    screenshot(board, "14-case-overridden")
    board.get_by_label("Note").last.fill("Patient phoned; booked physio for Monday.")
    board.get_by_role("button", name="Add note").click()
    expect(board.locator(".notes")).to_contain_text("booked physio")
    board.get_by_role("button", name="Close case").click()
    expect(board.get_by_role("status")).to_have_text("The case is closed.")
    screenshot(board, "15-case-completed")
    board.goto("/staff/board")
    expect(board.locator(f'[data-case="{case_id}"]')).to_have_count(0)

    for page in (form, board, exam):  # the refused short reason is the one expected 422
        assert [p for p in page.problems if "status of 422" not in p] == [], page.problems
    for context in (phone, desk, front):
        context.close()

    # The links the patient opened are credentials: none may be left in a log line or in Redis.
    broker = redis_dump(redis_url)
    system.stop_all()
    logs = system.log_text()
    assert "GET /form?token=[redacted]" in logs and "GET /check-in?token=[redacted]" in logs
    for token in (link["token"], check_in_link):
        assert token not in logs and token not in broker


def column_of(system: RunningSystem, email: str, case_id: str) -> str:
    """The board column the case's current route belongs in, read from the API."""
    token = system.api.post("/auth/sign-in", json={"email": email, "password": PASSWORD}) \
        .json()["token"]
    case = system.wait_for(lambda: _routed(system, token, case_id), 20, "a routed case")
    entry = case["queue_entry"]
    return entry["queue"] + (f"-{entry['imaging_modality']}" if entry["imaging_modality"] else "")


def _routed(system: RunningSystem, token: str, case_id: str) -> dict | None:
    case = system.api.get(f"/cases/{case_id}", headers=bearer(token)).json()
    return case if case.get("queue_entry") and case["status"] == "routed" else None


def follow_up_of(engine, case_id: str) -> uuid.UUID | None:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM follow_ups WHERE case_id = :c "
                                 "AND status = 'scheduled' ORDER BY due_at LIMIT 1"),
                            {"c": case_id}).scalar()
