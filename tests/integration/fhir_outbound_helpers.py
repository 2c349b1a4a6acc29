"""Builders for the outbound FHIR tests: a case opened through FHIR and triaged by hand, exam
findings recorded through the REST API, follow-ups and their deliveries as the notify service
stores them."""

from __future__ import annotations

import uuid
from datetime import timedelta

from shared.clock import utcnow
from shared.db import sync_session
from shared.models import Delivery, FollowUp
from tests.fixtures.fhir import TWISTED_ANKLE_FORM, FhirClient, fhir_patient, filled_in
from tests.integration.decision_helpers import triage


def open_case(desk: FhirClient, patient_id: str | None = None) -> tuple[str, str, str]:
    """A twisted ankle sent as a QuestionnaireResponse: (patient, response, case) ids."""
    patient_id = patient_id or desk.post("/fhir/Patient", fhir_patient()).json()["id"]
    questionnaire = desk.get("/fhir/Questionnaire/ankle-previsit").json()
    sent = desk.post("/fhir/QuestionnaireResponse",
                     filled_in(questionnaire, TWISTED_ANKLE_FORM, patient_id))
    assert sent.status_code == 201, sent.text
    case_id = sent.json()["extension"][0]["valueReference"]["reference"].split("/")[1]
    return patient_id, sent.json()["id"], case_id


def routed_case(desk: FhirClient, engine, patient_id: str | None = None):
    """A case opened through FHIR and decided by the engine (placed on its queue)."""
    patient_id, response_id, case_id = open_case(desk, patient_id)
    decision = triage(engine, case_id, "intake_submitted")
    return patient_id, response_id, case_id, decision


def record_exam(desk: FhirClient, case_id: str, findings: dict) -> None:
    answer = desk.client.post(f"/cases/{case_id}/exam-findings", headers=desk.headers,
                              json={"findings": findings})
    assert answer.status_code == 201, answer.text


def follow_up_with_deliveries(engine, case_id: str, decision_id: uuid.UUID,
                              outcomes: list[tuple[str, str | None]]) -> FollowUp:
    """A check-in of the decision's plan, tried once per outcome (status, reason code)."""
    now = utcnow()
    with sync_session(engine) as session, session.begin():
        follow_up = FollowUp(case_id=uuid.UUID(case_id), decision_id=decision_id,
                             step=int(uuid.uuid4().int % 10_000) + 100, kind="check_in",
                             purpose="One-week check: how is the ankle?",
                             status="sent" if ("sent", None) in outcomes else "scheduled",
                             due_at=now + timedelta(days=7), attempts=len(outcomes),
                             sent_at=now if ("sent", None) in outcomes else None)
        session.add(follow_up)
        session.flush()
        for attempt, (status, error) in enumerate(outcomes, 1):
            session.add(Delivery(follow_up_id=follow_up.id, channel="email", attempt=attempt,
                                 status=status, error=error))
    return follow_up
