"""The clinicians' queue board and the queue listing: what they show, and that each view is
one audit event naming every case it showed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from tests.integration.queue_helpers import triaged

pytestmark = pytest.mark.integration


def column_of(case: dict) -> str:
    return f"{case['queue']}-{case['modality']}" if case["modality"] else case["queue"]


def card_in_column(page: str, column: str, case_id: str) -> str | None:
    """The card's HTML if the case is in that column of the board, else None."""
    section = re.search(rf'data-queue="{column}">(.*?)</section>', page, re.DOTALL)
    card = section and re.search(rf'data-case="{case_id}">(.*?)</li>', section.group(1),
                                 re.DOTALL)
    return re.sub(r"\s+", " ", card.group(1)) if card else None


def list_reads(engine, request_id: str) -> list[tuple[str, str, list[dict]]]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(
            "SELECT resource_type, resource_id, entities FROM audit_events "
            "WHERE request_id = :r"), {"r": request_id})]


def test_the_board_shows_each_open_case_as_a_card_in_its_queues_column(
        client, app_client, engine, clinician):
    cases = [triaged(client, engine) for _ in range(2)]

    page = app_client.get("/staff/board", headers=clinician)

    assert page.status_code == 200
    for case in cases:
        card = card_in_column(page.text, column_of(case), case["id"])
        assert card, f"case {case['id']} not in column {column_of(case)}"
        assert f"Case {case['id'][:8]}</a>" in card
        assert re.search(r"Waiting \d+ min · target (\d+ (min|h)|\d+ weeks?)<", card)


def test_a_card_moved_by_an_override_says_from_where_and_why(client, app_client, engine,
                                                             clinician):
    case = triaged(client, engine)
    reason = "Athlete with high suspicion of syndesmosis injury despite negative Ottawa"
    target = "physio" if case["queue"] == "surgical" else "surgical"
    app_client.post(f"/cases/{case['id']}/override", headers=clinician, json={
        "queue": target, "urgency": "urgent", "reason": reason}).raise_for_status()

    page = app_client.get("/staff/board/fragment", headers=clinician).text

    card = card_in_column(page, target, case["id"])
    previous = case["queue"].replace("_", " ")
    assert card and f"Moved from {previous} (" in card and f"after override: “{reason}”" in card


def test_a_case_past_its_waiting_target_is_marked_with_the_wait_and_target_in_weeks(
        client, app_client, engine, clinician):
    case = triaged(client, engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE queue_entries SET urgency = 'routine', "
                          "entered_at = now() - interval '30 days 2 hours' WHERE id = :e"),
                     {"e": case["entry_id"]})

    page = app_client.get("/staff/board", headers=clinician).text

    card = card_in_column(page, column_of(case), case["id"])
    assert card and '<span class="badge breach">breach</span>' in card
    # Not "Waiting 722 h 0 min · target 504 h".
    assert "Waiting 4 weeks 2 days · target 3 weeks<" in card


def test_a_board_view_is_one_audit_event_naming_every_case_it_showed(
        client, app_client, engine, clinician):
    cases = [triaged(client, engine) for _ in range(3)]

    app_client.get("/staff/board", headers={**clinician, "X-Request-ID": "board-view-1"})

    [(resource_type, resource_id, entities)] = list_reads(engine, "board-view-1")
    assert (resource_type, resource_id) == ("List", "staff/board")
    shown = sorted((e["type"], e["id"], e["patient_id"]) for e in entities)
    # Each card names its patient (identity on the card): the Patient record is shown too.
    assert shown == sorted([*(("QueueEntry", c["entry_id"], c["patient_id"]) for c in cases),
                            *(("Patient", c["patient_id"], c["patient_id"]) for c in cases)])


def test_an_empty_board_discloses_nothing_and_writes_no_audit_event(app_client, clinician,
                                                                    engine):
    page = app_client.get("/staff/board", headers={**clinician, "X-Request-ID": "board-empty"})

    assert page.status_code == 200 and "No cases waiting." in page.text
    assert list_reads(engine, "board-empty") == []


def test_a_queue_listing_is_one_audit_event_naming_the_queue_and_each_case(
        client, app_client, engine, clinician):
    case = triaged(client, engine)
    route = f"/queues/{case['queue']}/cases"
    query = {"modality": case["modality"]} if case["modality"] else {}

    listing = app_client.get(route, params=query,
                             headers={**clinician, "X-Request-ID": "listing-1"}).json()

    assert [item["case_id"] for item in listing["items"]] == [case["id"]]
    [(resource_type, resource_id, entities)] = list_reads(engine, "listing-1")
    assert (resource_type, resource_id) == ("List", "/".join(
        part for part in ("queues", case["queue"], case["modality"]) if part))
    assert entities == [{"type": "QueueEntry", "id": case["entry_id"],
                         "patient_id": case["patient_id"]}]
