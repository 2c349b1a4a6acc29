"""Learning from overrides: seeded clinician overrides and EHR feedback give the expected counts
per rule and per original and new route, with the reasons, the agreement rate per rule over the
chosen period, and the same figures as CSV."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from shared.db import sync_session
from shared.models import CdsCard, CdsFeedback, TriageDecision
from tests.integration.auth_helpers import staff_headers
from tests.integration.helpers import create_patient, submit_intake

pytestmark = pytest.mark.integration

OTTAWA, WEIGHT, STRAIN = ("ottawa.ankle_positive", "weight_bearing.cannot_bear_weight_now",
                          "overuse.soft_tissue_strain")
PERIOD = {"start": "2026-03-01", "end": "2026-03-31"}


def on(day: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, 10, tzinfo=UTC)


def decide(engine, case_id: str, when, queue: str, urgency: str, rules=(), reason=None):
    outcome = {"queue": queue, "urgency": urgency,
               "rules_fired": [{"rule_id": r, "rationale": "", "sources": []} for r in rules]}
    if reason:
        outcome["override"] = {"reason": reason}
    with sync_session(engine) as session, session.begin():
        session.add(TriageDecision(
            case_id=uuid.UUID(case_id), request_id=uuid.uuid4(), queue=queue, urgency=urgency,
            source="clinician" if reason else "engine", trigger="override" if reason else
            "intake_submitted", ruleset_version="1.4.0", ruleset_hash="h", inputs={},
            outcome=outcome, decided_at=when))


def feedback(engine, case_id: str, when, rules, outcome: str, reason=None, comment=None):
    with sync_session(engine) as session, session.begin():
        card = CdsCard(service_id="ankle-triage", hook="patient-view", hook_instance="i",
                       issuer="https://ehr.example", case_id=uuid.UUID(case_id),
                       indicator="warning", advice={"queue": "imaging", "urgency": "urgent",
                                                    "rules": list(rules)})
        session.add(card)
        session.flush()
        session.add(CdsFeedback(card_id=card.id, service_id="ankle-triage",
                                case_id=uuid.UUID(case_id), outcome=outcome,
                                override_reason_display=reason, user_comment=comment,
                                issuer="https://ehr.example", outcome_at=when))


@pytest.fixture
def seeded(client, engine):
    cases = [submit_intake(client, create_patient(client)["id"])["id"] for _ in range(4)]
    a, b, c, d = cases
    decide(engine, a, on(2), "imaging", "urgent", (OTTAWA, WEIGHT))
    decide(engine, a, on(3), "physio", "soon", reason="Seen: stable ankle, rehab first")
    decide(engine, b, on(4), "imaging", "urgent", (OTTAWA,))
    decide(engine, c, on(5), "home_care", "routine", (STRAIN,))
    decide(engine, c, on(6), "physio", "routine", reason="=Runner wants physio")
    decide(engine, d, on(20, 2), "imaging", "urgent", (OTTAWA,))  # before the period
    decide(engine, d, on(21, 2), "home_care", "routine", reason="Outside the period")
    feedback(engine, b, on(7), (OTTAWA,), "accepted")
    feedback(engine, b, on(8), (OTTAWA, WEIGHT), "overridden", reason="Patient declined",
             comment="prefers to wait")
    return cases


def test_the_page_counts_overrides_by_rule_and_route_with_reasons_and_agreement(
        app_client, engine, clinician, seeded):
    page = app_client.get("/staff/governance/overrides", params=PERIOD, headers=clinician)
    assert page.status_code == 200, page.text
    assert '<tr data-rule="ottawa.ankle_positive"><td>ottawa.ankle_positive</td><td>2</td>' \
           "<td>1</td><td>1</td><td>1</td><td>50%</td></tr>" in page.text
    assert "<td>weight_bearing.cannot_bear_weight_now</td><td>1</td><td>1</td><td>0</td>" \
           "<td>1</td><td>0%</td>" in page.text
    assert "Seen: stable ankle, rehab first" in page.text
    assert "Patient declined; prefers to wait" in page.text
    assert "Outside the period" not in page.text


def test_the_csv_gives_the_same_counts(app_client, engine, clinician, seeded):
    answer = app_client.get("/staff/governance/overrides.csv", params=PERIOD, headers=clinician)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="overrides-2026-03-01-2026-03-31.csv"' in \
        answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows == [
        ["section", "source", "rule_id", "from_queue", "from_urgency", "to_queue", "to_urgency",
         "count", "fired", "overridden", "cds_accepted", "cds_overridden", "agreement_percent",
         "reasons"],
        ["rule", "", STRAIN, "", "", "", "", "", "1", "1", "0", "0", "0", ""],
        ["rule", "", WEIGHT, "", "", "", "", "", "1", "1", "0", "1", "0", ""],
        ["rule", "", OTTAWA, "", "", "", "", "", "2", "1", "1", "1", "50", ""],
        ["route", "clinic", "", "imaging", "urgent", "physio", "soon", "1", "", "", "", "", "",
         "Seen: stable ankle, rehab first"],
        ["route", "clinic", "", "home_care", "routine", "physio", "routine", "1", "", "", "", "",
         "", "'=Runner wants physio"],
        ["route", "ehr", "", "imaging", "urgent", "accepted", "", "1", "", "", "", "", "", ""],
        ["route", "ehr", "", "imaging", "urgent", "overridden", "", "1", "", "", "", "", "",
         "Patient declined; prefers to wait"],
    ]


def test_reading_the_analytics_is_audited_as_a_read_of_each_case_counted(
        app_client, engine, clinician, seeded):
    with engine.connect() as connection:  # the trail is append-only: earlier tests' reads stay
        earlier = connection.execute(text("SELECT coalesce(max(id), 0) FROM audit_events")
                                     ).scalar_one()
    app_client.get("/staff/governance/overrides", params=PERIOD, headers=clinician)
    with engine.connect() as connection:
        [entities] = connection.execute(text(
            "SELECT entities FROM audit_events WHERE resource_type = 'List' AND resource_id = "
            "'governance-overrides:2026-03-01:2026-03-31' AND id > :earlier"),
            {"earlier": earlier}).scalars().all()
    assert {e["id"] for e in entities} == set(seeded[:3])


def test_only_clinicians_open_the_analytics(app_client, engine, seeded):
    for role in ("front_desk", "admin"):
        answer = app_client.get("/staff/governance/overrides.csv", params=PERIOD,
                                headers=staff_headers(app_client, engine, role))
        assert answer.status_code == 403, role
