"""The pre-visit form's step count never grows as the patient answers: it said "Step 1 of 7"
and then "Step 2 of 8" when an injury added its step."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_whole_story import PHONE, answer, next_step, open_context
from tests.e2e.system import RunningSystem
from tests.integration.auth_helpers import PASSWORD, bearer, make_user
from tests.integration.helpers import patient_payload

pytestmark = pytest.mark.browser

ONSET = "How did it start?"


def test_the_step_count_counts_a_step_that_may_still_appear_and_never_grows(
        system: RunningSystem, browser: Browser, engine):
    desk = system.api.post("/auth/sign-in", json={"email": make_user(engine, "front_desk").email,
                                                  "password": PASSWORD}).json()["token"]
    patient = system.api.post("/patients", json=patient_payload(),
                              headers=bearer(desk)).json()["patient"]
    link = system.api.post(f"/patients/{patient['id']}/links", json={"purpose": "intake"},
                           headers=bearer(desk)).json()
    context, form = open_context(browser, str(system.api.base_url).rstrip("/"), **PHONE)
    progress = form.locator(".progress-text")

    form.goto(f"/form?token={link['token']}")
    expect(progress).to_have_text("Step 1 of 8")  # the injury step may still come
    answer(form, "Which leg is it?", "Left")
    answer(form, ONSET, "With an injury: a twist, fall, knock or landing")
    next_step(form, "How it happened")
    expect(progress).to_have_text("Step 2 of 8")

    form.locator(".step.current").get_by_role("button", name="Back").click()
    expect(progress).to_have_text("Step 1 of 8")
    answer(form, ONSET, "Slowly, over days or weeks")
    next_step(form, "Where it hurts")
    expect(progress).to_have_text("Step 2 of 7")  # no injury step: one fewer, never one more
    assert form.problems == []
    context.close()
