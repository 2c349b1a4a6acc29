"""The case page charts the pain rating and function score over days of care against the
expected course, and says when the case is behind it."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest

from shared.clinical_record import CHECK_IN_QUESTIONNAIRE_ID, CHECK_IN_QUESTIONNAIRE_VERSION
from shared.clock import utcnow
from shared.db import sync_session
from shared.models import IntakeResponse
from tests.integration.decision_helpers import triage
from tests.integration.helpers import create_patient, submit_intake

pytestmark = pytest.mark.integration
SOME_DIFFICULTY = {"function_walk_indoors": 3, "function_walk_outdoors": 2,
                   "function_stairs": 2, "function_stand": 2, "function_usual_activity": 1}


def check_in_at(engine, case_id: str, when, **answers) -> None:
    with sync_session(engine) as session, session.begin():
        session.add(IntakeResponse(
            case_id=uuid.UUID(case_id), questionnaire=CHECK_IN_QUESTIONNAIRE_ID,
            questionnaire_version=CHECK_IN_QUESTIONNAIRE_VERSION, authored_at=when,
            answers={"trend": "same", **answers}))


def test_the_case_page_charts_scores_against_the_expected_course_and_flags_falling_behind(
        client, app_client, engine, clinician):
    start = utcnow() - timedelta(days=22)
    case = submit_intake(client, create_patient(client)["id"], pain_score=6,
                         onset_date=(start - timedelta(days=2)).date().isoformat())
    triage(engine, case["id"], "intake_submitted", start)
    check_in_at(engine, case["id"], start + timedelta(days=7), pain_score=6, **SOME_DIFFICULTY)
    check_in_at(engine, case["id"], start + timedelta(days=21), pain_score=5,
                **{**SOME_DIFFICULTY, "function_stairs": 3})

    page = app_client.get(f"/staff/cases/{case['id']}", headers=clinician).text

    [chart] = re.findall(r"<svg[^>]*data-recovery-chart.*?</svg>", page, re.DOTALL)
    assert chart.count("<circle") == 3 + 2  # pain at days 0, 7, 21; function at 7 and 21
    assert 'data-series="expected-pain"' in chart and 'data-series="expected-function"' in chart
    assert "pain 5 on day 21" in chart and "function 55 on day 21" in chart
    assert "data-recovery-behind" in page
    assert "17% better after 21 days of care" in page


def test_a_case_without_scores_has_no_recovery_chart(client, app_client, engine, clinician):
    case = submit_intake(client, create_patient(client)["id"])
    triage(engine, case["id"], "intake_submitted")
    assert "data-recovery-chart" not in app_client.get(f"/staff/cases/{case['id']}",
                                                       headers=clinician).text
