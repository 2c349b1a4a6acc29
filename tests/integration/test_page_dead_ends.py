"""No page is a dead end: a signed-in member of staff refused a page keeps their navigation
and is told where they can go (it offered only "sign in"); a page that is not there answers a
page (it answered JSON), while the API's 404s stay JSON."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from services.intake.app import create_app
from tests.integration.auth_helpers import staff_headers
from tests.integration.test_page_access import staff_client

pytestmark = pytest.mark.integration

BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def web(settings, clean_database, engine):
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


def test_front_desk_refused_the_board_keeps_the_navigation_and_is_told_where_to_go(web, engine):
    staff_client(web, engine, "front_desk")

    refused = web.get("/staff/board", headers=BROWSER)

    assert refused.status_code == 403
    assert 'action="/sign-out"' in refused.text  # still signed in, with the staff navigation
    assert "Pages you can open" in refused.text
    assert '<a href="/staff/cases">Exam entry</a>' in refused.text
    assert "sign in" not in refused.text.lower().replace("sign out", "")


def test_an_admin_refused_exam_entry_is_pointed_to_the_follow_ups(web, engine):
    staff_client(web, engine, "admin")

    refused = web.get("/staff/cases", headers=BROWSER)

    assert refused.status_code == 403
    assert '<a href="/staff/follow-ups">Follow-ups</a>' in refused.text


def test_an_address_with_no_page_answers_a_page_to_a_browser(web):
    answer = web.get("/staff/bored", headers=BROWSER)

    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "There is no page at this address" in answer.text


def test_a_missing_case_page_answers_a_page_with_the_navigation(web, engine):
    staff_client(web, engine, "clinician")

    answer = web.get(f"/staff/cases/{uuid.uuid4()}", headers=BROWSER)

    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert '<a href="/staff/board">Queue board</a>' in answer.text


def test_the_api_still_answers_404_as_json(web, engine):
    headers = staff_headers(web, engine, "clinician")

    missing_case = web.get(f"/cases/{uuid.uuid4()}", headers={**headers, **BROWSER})
    no_route = web.get("/no-such-endpoint", headers={"Accept": "application/json"})

    assert missing_case.status_code == no_route.status_code == 404
    assert missing_case.headers["content-type"] == "application/json"
    assert no_route.json() == {"detail": "Not Found"}
