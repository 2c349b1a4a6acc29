"""The test plays an EHR against the real processes: it signs its JWTs, calls patient-view with
prefetched data read from the clinic's own FHIR facade, gets the card, carries out the
suggestion and sends feedback; a second call lets the service fetch from the facade itself
with the EHR's token; the card is overridden with a reason, which the clinician then sees on
the case page."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from fhirclient.models.servicerequest import ServiceRequest
from fhirclient.models.task import Task

from clinic_cli.processes import system_processes
from services.intake.cds_hooks.schemas import HookResponse
from tests.e2e.system import RunningSystem
from tests.fixtures.smtp import free_port
from tests.integration.auth_helpers import staff_headers
from tests.integration.cds_hooks_helpers import Ehr, bundle, hook_call, register
from tests.integration.helpers import patient_payload

pytestmark = pytest.mark.e2e
EMERGENCY = {"onset": "injury", "injury_mechanism": "rolled_outward",
             "walked_four_steps_immediately": False, "walks_four_steps_now": False,
             "pain_locations": ["outside"], "swelling": "moderate",
             "foot_cold_pale_or_blue": True}
REASON = {"system": "https://ankle-triage.clinic/fhir/CodeSystem/cds-override-reason",
          "code": "examined-differently", "display": "Examined in person: the findings differ"}


@pytest.fixture
def clinic(database_url, redis_url, tmp_path) -> Iterator[RunningSystem]:
    """The API, relay and triage worker, published at the address the EHR calls (the `aud`
    of its tokens)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
           "CLINIC_DATA_DIR": str(tmp_path / "data"), "CLINIC_ENV": "test",
           "CLINIC_SECRET_KEY": "e2e-secret-key", "CLINIC_PUBLIC_URL": base,
           "CLINIC_OUTBOX_POLL_SECONDS": "0.2"}
    for folder in ("logs", "data"):
        (tmp_path / folder).mkdir()
    api = httpx.Client(base_url=base, timeout=15)
    running = RunningSystem(system_processes(env, api_port=port), tmp_path / "logs", api)
    for name in ("api", "relay", "triage"):
        running.start(name)
    try:
        running.wait_until_ready()
        yield running
    finally:
        api.close()
        running.stop_all()


def test_an_ehr_gets_the_triage_card_acts_on_it_and_its_override_reason_reaches_the_case(
    clinic: RunningSystem, engine
):
    api, base = clinic.api, str(clinic.api.base_url).rstrip("/")
    desk = staff_headers(api, engine, "front_desk")
    clinician = staff_headers(api, engine, "clinician")
    ehr = Ehr(base)
    register(api, staff_headers(api, engine, "admin"), ehr)
    person = api.post("/patients", json=patient_payload(given_name="Marisol"),
                      headers=desk).json()["patient"]
    case = api.post("/cases", json={"patient_id": person["id"], "history": EMERGENCY},
                    headers=desk).json()
    clinic.wait_for(lambda: api.get(f"/cases/{case['id']}", headers=clinician)
                    .json().get("decision"), 20, "the case to be routed")

    # The EHR prefetches what the service's templates ask for, from the clinic's facade.
    path = "/cds-services/ankle-triage"
    discovery = api.get("/cds-services", headers=ehr.headers("/cds-services")).json()
    templates = next(s for s in discovery["services"] if s["id"] == "ankle-triage")["prefetch"]
    fhir = {**clinician, "Accept": "application/fhir+json"}
    prefetch = {key: api.get("/fhir/" + template.replace("{{context.patientId}}", person["id"]),
                             headers=fhir).json()
                for key, template in templates.items() if key != "observations"}
    prefetch["observations"] = bundle()  # no exam recorded for this patient yet
    first = api.post(path, headers=ehr.headers(path),
                     json=hook_call("patient-view", person["id"], pre=prefetch))

    assert first.status_code == 200, first.text
    [card] = HookResponse.model_validate(first.json()).cards
    assert card.indicator == "critical" and card.links[0].url.path.endswith(case["id"])

    # Accepting the suggestion: the EHR creates the ServiceRequest and the Task as given.
    [suggestion] = card.suggestions
    service_request, task = (ServiceRequest(a.resource, strict=True) if a.resource[
        "resourceType"] == "ServiceRequest" else Task(a.resource, strict=True)
        for a in suggestion.actions)
    assert service_request.priority == "stat"
    assert task.focus.reference == f"ServiceRequest/{service_request.id}"
    feedback = "/cds-services/ankle-triage/feedback"
    accepted = api.post(feedback, headers=ehr.headers(feedback), json={"feedback": [
        {"card": card.uuid, "outcome": "accepted", "acceptedSuggestions": [
            {"id": suggestion.uuid}], "outcomeTimestamp": datetime.now(UTC).isoformat()}]})
    assert accepted.status_code == 200, accepted.text

    # Next visit: nothing prefetched but the exam; the service reads the facade itself.
    again = api.post(path, headers=ehr.headers(path), json={
        **hook_call("patient-view", person["id"], pre={"observations": bundle()}),
        "fhirServer": f"{base}/fhir",
        "fhirAuthorization": {"access_token": clinician["Authorization"].split()[1],
                              "token_type": "Bearer", "expires_in": 300,
                              "scope": "user/*.read", "subject": "cds-ankle-triage"}})
    assert again.status_code == 200, again.text
    [second] = HookResponse.model_validate(again.json()).cards
    assert second.summary == card.summary
    overridden = api.post(feedback, headers=ehr.headers(feedback), json={"feedback": [
        {"card": second.uuid, "outcome": "overridden", "outcomeTimestamp":
         datetime.now(UTC).isoformat(), "overrideReason": {
             "reason": REASON, "userComment": "Pulses present when I examined"}}]})
    assert overridden.status_code == 200, overridden.text

    page = api.get(f"/staff/cases/{case['id']}", headers=clinician)
    assert page.status_code == 200
    assert "Reason: Examined in person: the findings differ; comment: Pulses present when I " \
        "examined" in page.text
    assert "accepted (ankle-triage)" in page.text
    replay = api.post(feedback, headers={"Authorization": f"Bearer {ehr.token(feedback)}"},
                      json={"feedback": [{"card": str(uuid.uuid4()), "outcome": "accepted",
                                          "outcomeTimestamp": datetime.now(UTC).isoformat()}]})
    assert replay.status_code == 400
    assert "Marisol" not in clinic.log_text() and person["family_name"] not in clinic.log_text()
