"""Staff pages show times in the clinic's zone (CLINIC_TIMEZONE), with the zone named; they
showed UTC, unlabelled, so a London clinic read every summer time an hour early."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from services.intake.app import create_app
from tests.integration.auth_helpers import staff_headers
from tests.integration.queue_helpers import triaged

pytestmark = pytest.mark.integration

CLINIC_ZONE = "America/New_York"  # never UTC, in any season


@pytest.fixture
def clinic_app(settings, clean_database):
    with TestClient(create_app(settings.model_copy(update={"timezone": CLINIC_ZONE}))) as client:
        yield client


def in_clinic_zone(moment) -> str:
    return moment.astimezone(ZoneInfo(CLINIC_ZONE)).strftime("%d %b %H:%M %Z")


def test_the_case_page_says_when_the_case_joined_the_queue_in_clinic_time(clinic_app, engine):
    clinic_app.headers.update(staff_headers(clinic_app, engine, "front_desk"))
    case = triaged(clinic_app, engine)
    with engine.connect() as conn:
        entered_at = conn.execute(text("SELECT entered_at FROM queue_entries WHERE id = :e"),
                                  {"e": case["entry_id"]}).scalar_one()
    clinician = staff_headers(clinic_app, engine, "clinician")

    page = clinic_app.get(f"/staff/cases/{case['id']}", headers=clinician).text

    assert f"On the queue since {in_clinic_zone(entered_at)}" in page
    assert in_clinic_zone(entered_at)[-3:] in ("EST", "EDT")


def test_the_exam_entry_list_shows_when_each_case_opened_in_clinic_time(clinic_app, engine):
    clinic_app.headers.update(staff_headers(clinic_app, engine, "front_desk"))
    case = triaged(clinic_app, engine)
    with engine.connect() as conn:
        created_at = conn.execute(text("SELECT created_at FROM cases WHERE id = :c"),
                                  {"c": case["id"]}).scalar_one()

    page = clinic_app.get("/staff/cases").text

    local = created_at.astimezone(ZoneInfo(CLINIC_ZONE))
    assert f'<time datetime="{local.isoformat()}">{in_clinic_zone(created_at)}</time>' in page
