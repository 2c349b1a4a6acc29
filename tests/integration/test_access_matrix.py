"""Every route × every role (and anonymous): allowed or refused exactly as the policy says.

The expected outcomes are written out here, independently of the code's permission table, so
a mistaken grant in the code fails this test. A route added without a row here fails too, and
so does a route or page that no permission of the table (services/intake/auth/permissions.py)
guards, unless it is listed below as open or authenticated by what it carries.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
import redis
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from services.intake.app import create_app
from services.intake.auth.permissions import GRANTS
from services.triage.service import triage_case
from shared.clock import utcnow
from shared.contracts import TriageCase
from shared.db import make_sync_engine, sync_session
from shared.models import FollowUp, Role
from shared.patient_links import PatientLink, sign_link
from shared.settings import Settings
from tests.integration.auth_helpers import bearer, make_user, sign_in
from tests.integration.helpers import patient_payload, twisted_ankle_history
from tests.integration.test_page_access import PATIENT_PAGES, STAFF_PAGES

pytestmark = pytest.mark.integration

ANONYMOUS, OWN_PATIENT, OTHER_PATIENT = "anonymous", "patient", "other_patient"
FRONT_DESK, CLINICIAN, ADMIN = "front_desk", "clinician", "admin"
PRINCIPALS = (ANONYMOUS, OWN_PATIENT, OTHER_PATIENT, FRONT_DESK, CLINICIAN, ADMIN)
PUBLIC = set(PRINCIPALS)
SIGNED_IN = PUBLIC - {ANONYMOUS}

# (method, path) -> who may call it. OWN_PATIENT acts on patient A's records; OTHER_PATIENT is
# patient B acting on A's records, so they must be refused wherever a patient is allowed.
POLICY: dict[tuple[str, str], set[str]] = {
    ("GET", "/health/live"): PUBLIC,
    ("GET", "/health/ready"): PUBLIC,
    ("POST", "/auth/sign-in"): PUBLIC,
    ("POST", "/auth/sign-in/enrol"): set(),
    ("POST", "/auth/totp"): {FRONT_DESK, CLINICIAN, ADMIN},
    ("POST", "/auth/totp/confirm"): {FRONT_DESK, CLINICIAN, ADMIN},
    ("POST", "/auth/sign-out"): SIGNED_IN,
    ("GET", "/auth/me"): SIGNED_IN,
    ("POST", "/users"): {ADMIN},
    ("GET", "/users"): {ADMIN},
    ("PATCH", "/users/{user_id}"): {ADMIN},
    ("POST", "/cds-issuers"): {ADMIN},
    ("GET", "/cds-issuers"): {ADMIN},
    ("PATCH", "/cds-issuers/{issuer_id}"): {ADMIN},
    ("POST", "/patients"): {FRONT_DESK},
    ("POST", "/patients/{patient_id}/links"): {FRONT_DESK},
    ("POST", "/patients/{patient_id}/links/revoke"): {FRONT_DESK, CLINICIAN},
    ("GET", "/patients/{patient_id}/audit-events"): {ADMIN},
    ("POST", "/cases"): {OWN_PATIENT, FRONT_DESK},
    ("POST", "/cases/{case_id}/exam-findings"): {FRONT_DESK, CLINICIAN},
    ("GET", "/cases/{case_id}"): {OWN_PATIENT, FRONT_DESK, CLINICIAN},
    ("GET", "/queues/{queue}/cases"): {CLINICIAN},
    ("GET", "/dead-letters"): {CLINICIAN, ADMIN},
    ("POST", "/cases/{case_id}/claim"): {CLINICIAN},
    ("POST", "/cases/{case_id}/release"): {CLINICIAN},
    ("POST", "/cases/{case_id}/override"): {CLINICIAN},
    ("POST", "/cases/{case_id}/notes"): {CLINICIAN},
    ("POST", "/cases/{case_id}/complete"): {CLINICIAN},
    ("POST", "/queues/assignments"): {CLINICIAN},
    ("POST", "/check-ins"): {OWN_PATIENT},
    # Authenticated by what they carry, not by who calls: the signed opt-out link in the body,
    # the SMS provider's webhook secret, an admin's first-sign-in ticket. Without those every
    # caller gets 401.
    ("POST", "/opt-out"): set(),
    ("POST", "/sms/inbound"): set(),
}
CARRIED_CREDENTIAL = {"/opt-out", "/sms/inbound", "/auth/sign-in/enrol"}
# Allowed, but this request is refused for what it asks: only the claim's owner may release;
# every admin has a one-time code already (admins must); a made-up code is not right.
ALLOWED_BUT_REFUSED = {"/cases/{case_id}/release": 409, "/auth/totp/confirm": 422,
                       "/cds-issuers/{issuer_id}": 404}  # an issuer no one registered


@dataclass
class World:
    client: TestClient
    settings: Settings
    engine: object
    patient_a: str
    patient_b: str
    case_a: str
    user_id: str
    users: dict[str, str]
    follow_up_a: uuid.UUID | None = None


@pytest.fixture(scope="module")
def world(database_url, redis_server_url):
    settings = Settings(DATABASE_URL=database_url, REDIS_URL=f"{redis_server_url.rstrip('/')}/2",
                        env="test", secret_key="matrix-secret")
    redis.Redis.from_url(settings.redis_url).flushdb()  # no sign-in limits left from earlier runs
    engine = make_sync_engine(settings)
    with TestClient(create_app(settings)) as client:
        users = {role: make_user(engine, role).email for role in (FRONT_DESK, CLINICIAN, ADMIN)}
        desk = bearer(sign_in(client, users[FRONT_DESK]))
        a = client.post("/patients", json=patient_payload(), headers=desk).json()["patient"]["id"]
        b = client.post("/patients", json=patient_payload(), headers=desk).json()["patient"]["id"]
        case = client.post("/cases", json={"patient_id": a, "history": twisted_ankle_history()},
                           headers=desk).json()["id"]
        world = World(client, settings, engine, a, b, case, str(make_user(engine, "clinician").id),
                      users)
        world.follow_up_a = add_follow_up(engine, case)
        yield world
    engine.dispose()


def add_follow_up(engine, case_id: str) -> uuid.UUID:
    """A triaged case with one sent reminder, whose check-in link patients can use."""
    with sync_session(engine) as session, session.begin():
        decision = triage_case(session.connection(), TriageCase(message_id=uuid.uuid4(),
                                                   case_id=uuid.UUID(case_id),
                                                   reason="intake_submitted"), utcnow())
        follow_up = FollowUp(case_id=decision.case_id, decision_id=decision.id, step=0,
                             kind="check_in", purpose="one-week check", status="sent")
        session.add(follow_up)
    return follow_up.id


def headers_for(world: World, principal: str, path: str) -> dict[str, str]:
    """Patients come in with the link their message carried: a check-in link for patient A's
    reminder on /check-ins (patient B holding one for the same reminder), else a case link."""
    if principal == ANONYMOUS:
        return {}
    if principal in (OWN_PATIENT, OTHER_PATIENT):
        patient = world.patient_a if principal == OWN_PATIENT else world.patient_b
        link = PatientLink(patient_id=uuid.UUID(patient), purpose="check_in",
                           follow_up_id=world.follow_up_a) if path == "/check-ins" else \
            PatientLink(patient_id=uuid.UUID(patient), purpose="intake")
        return bearer(sign_link(world.settings.secret_key, link))
    if principal == ADMIN:  # a one-time code signs in once: a new admin each time
        return bearer(sign_in(world.client, make_user(world.engine, ADMIN).email))
    return bearer(sign_in(world.client, world.users[principal]))


def fresh_queued_case(world: World) -> str:
    """A new triaged case of patient A, so routes that change a case start from the same state."""
    desk = bearer(sign_in(world.client, world.users[FRONT_DESK]))
    case_id = world.client.post("/cases", headers=desk, json={
        "patient_id": world.patient_a, "history": twisted_ankle_history()}).json()["id"]
    with sync_session(world.engine) as session, session.begin():
        triage_case(session.connection(), TriageCase(message_id=uuid.uuid4(), case_id=uuid.UUID(case_id),
                                        reason="intake_submitted"), utcnow())
    return case_id


def fresh_patient(world: World) -> str:
    desk = bearer(sign_in(world.client, world.users[FRONT_DESK]))
    return world.client.post("/patients", json=patient_payload(), headers=desk) \
        .json()["patient"]["id"]


def request_for(world: World, method: str, path: str) -> dict:
    case_id = fresh_queued_case(world) if method == "POST" and "{case_id}" in path else \
        world.case_a
    # Revoking patient A's (or B's) links would end the links the other rows act with.
    patient_id = fresh_patient(world) if path.endswith("/links/revoke") else world.patient_a
    url = path.format(user_id=world.user_id, patient_id=patient_id, case_id=case_id,
                      queue="imaging", issuer_id=uuid.uuid4())
    bodies = {
        "/auth/sign-in": {"email": f"nobody-{uuid.uuid4().hex[:8]}@example.com",
                          "password": "wrong password"},
        "/auth/sign-in/enrol": {"enrolment_token": "not-a-ticket", "code": "123456"},
        "/auth/totp/confirm": {"code": "000000"},
        "/users": {"email": f"u{uuid.uuid4().hex[:6]}@example.com", "display_name": "New",
                   "role": "clinician", "password": "long enough password"},
        "/users/{user_id}": {"display_name": "Renamed"},
        "/cds-issuers": {"iss": f"https://ehr-{uuid.uuid4().hex[:8]}.example", "name": "EHR"},
        "/cds-issuers/{issuer_id}": {"name": "Renamed EHR"},
        "/patients": patient_payload(),
        "/patients/{patient_id}/links": {"purpose": "intake"},
        "/cases": {"patient_id": world.patient_a, "history": twisted_ankle_history()},
        "/cases/{case_id}/exam-findings": {"findings": {"anterior_drawer_positive": False}},
        "/cases/{case_id}/override": {"queue": "physio", "urgency": "soon",
                                      "reason": "clinical judgement after review"},
        "/cases/{case_id}/notes": {"text": "note"},
        "/cases/{case_id}/complete": {"outcome": "completed"},
        "/queues/assignments": {"case_ids": [world.case_a], "assignee_id": world.user_id},
        "/check-ins": {"trend": "same", "improvement_percent": 10},
        "/opt-out": {"token": "not-a-signed-link", "channel": "email"},
        "/sms/inbound": {"from": "+447700900000", "body": "STOP"},
    }
    return {"method": method, "url": url, "json": bodies.get(path) if method != "GET" else None}


def expected_refusal(principal: str, path: str) -> set[int]:
    if principal == ANONYMOUS:
        return {401}
    if principal == OTHER_PATIENT and POLICY_ALLOWS_PATIENT.get(path):
        # Another patient's record answers like a missing one (a body reference: 422).
        return {404, 422}
    return {403}


POLICY_ALLOWS_PATIENT = {path: OWN_PATIENT in who for (_m, path), who in POLICY.items()}


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("route", sorted(POLICY), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_allows_or_refuses_each_principal_as_the_policy_says(world, route, principal):
    method, path = route
    response = world.client.request(headers=headers_for(world, principal, path),
                                    **request_for(world, method, path))

    if path == "/auth/sign-in" or path in CARRIED_CREDENTIAL:
        assert response.status_code == 401  # open to all; a wrong credential refused for all
    elif path in ALLOWED_BUT_REFUSED and principal in POLICY[route]:
        assert response.status_code == ALLOWED_BUT_REFUSED[path], response.text
    elif path == "/auth/totp" and principal == ADMIN:
        assert response.status_code == 409, response.text
    elif principal in POLICY[route]:
        assert response.status_code < 400, response.text
    else:
        assert response.status_code in expected_refusal(principal, path), response.text


def test_every_route_of_the_api_is_in_the_policy(world):
    documented = {(method.upper(), path) for path, item in world.client.app.openapi()["paths"]
                  .items() for method in item}
    assert documented == set(POLICY)


# Routes and pages that no permission guards: open to everyone, or authenticated by what they
# carry (a sign-in's password or ticket, a link's token, the SMS webhook's secret, the metrics
# scraper's token). The link pages take the token, then check the page session as
# pages/access.py patient_page says (with the permission their module names).
UNGUARDED = {
    ("GET", "/health/live"), ("GET", "/health/ready"), ("GET", "/metrics"),
    ("GET", "/docs"), ("GET", "/docs/oauth2-redirect"),
    ("POST", "/auth/sign-in"), ("POST", "/auth/sign-in/enrol"),
    ("POST", "/opt-out"), ("POST", "/sms/inbound"),
    ("GET", "/sign-in"), ("POST", "/sign-in"), ("POST", "/sign-in/code"),
    ("POST", "/sign-in/enrol"), ("POST", "/sign-out"), ("GET", "/staff"),
    ("GET", "/form"), ("POST", "/form"), ("GET", "/check-in"), ("GET", "/opt-out"),
    # FHIR: the CapabilityStatement and SMART discovery are public (the specification says
    # so); the token endpoint is authenticated by the client's signed assertion; anything
    # else under /fhir answers a FHIR OperationOutcome 404.
    ("GET", "/fhir/metadata"), ("GET", "/fhir/.well-known/smart-configuration"),
    ("POST", "/fhir/auth/token"),
    *((method, "/fhir/{anything:path}") for method in ("GET", "POST", "PUT", "PATCH", "DELETE")),
}
# FHIR resource type -> the roles that may read and search it, written out independently of
# the code's table, as the REST API shows each role (a SMART backend client is authorised by
# its scopes instead: tests/integration/test_fhir_smart.py). Writes are in FHIR_WRITES.
FHIR_READERS = {
    "Questionnaire": {Role.PATIENT, Role.FRONT_DESK, Role.CLINICIAN, Role.ADMIN},
    "Patient": {Role.PATIENT, Role.FRONT_DESK, Role.CLINICIAN},
    "QuestionnaireResponse": {Role.PATIENT, Role.FRONT_DESK, Role.CLINICIAN},
    "EpisodeOfCare": {Role.PATIENT, Role.FRONT_DESK, Role.CLINICIAN},
    "Observation": {Role.FRONT_DESK, Role.CLINICIAN},
    "ClinicalImpression": {Role.CLINICIAN},
    "RiskAssessment": {Role.CLINICIAN},
    "ServiceRequest": {Role.CLINICIAN},
    "Task": {Role.CLINICIAN},
    "CommunicationRequest": {Role.CLINICIAN},
    "Communication": {Role.CLINICIAN},
    "AuditEvent": {Role.ADMIN},
}
FHIR_WRITES = {
    ("POST", "/fhir/Patient"): {Role.FRONT_DESK},
    ("POST", "/fhir/Patient/$match"): {Role.FRONT_DESK},
    ("POST", "/fhir/QuestionnaireResponse"): {Role.PATIENT, Role.FRONT_DESK},
    ("PUT", "/fhir/QuestionnaireResponse/{response_id}"): {Role.PATIENT, Role.FRONT_DESK},
}
# Authorised their own way: the CDS Hooks services (the EHR's signed JWT), the clinical
# evidence pages (public documents).
OWN_AUTHORISATION = ("/cds-services", "/clinical-evidence")
ROLE_OF = {OWN_PATIENT: Role.PATIENT, FRONT_DESK: Role.FRONT_DESK, CLINICIAN: Role.CLINICIAN,
           ADMIN: Role.ADMIN}


def routes_and_pages(app):
    for included in app.router.routes:
        for route in getattr(getattr(included, "original_router", None), "routes", ()):
            if isinstance(route, APIRoute) and not route.path.startswith(OWN_AUTHORISATION):
                yield from ((method, route.path, route) for method in route.methods)


def permission_of(route: APIRoute):
    """The permission of the route's `requires`, `staff_page` or `patient_page` dependency."""
    dependants = [route.dependant]
    while dependants:
        dependant = dependants.pop()
        if (permission := getattr(dependant.call, "permission", None)) is not None:
            return permission
        dependants.extend(dependant.dependencies)
    return None


def test_every_route_and_page_is_guarded_by_a_permission_granting_what_the_policy_says():
    app = create_app(Settings(env="test", secret_key="matrix-secret"))
    checked = fhir_reads = 0
    for method, path, route in routes_and_pages(app):
        if (method, path) in UNGUARDED:
            continue
        permission = permission_of(route)
        assert permission is not None, f"{method} {path}: no permission of the table guards it"
        granted = GRANTS[permission]
        if (method, path) in POLICY:
            assert granted == {ROLE_OF[p] for p in POLICY[method, path] if p in ROLE_OF}, \
                (method, path, permission)
        elif method == "GET" and path in STAFF_PAGES:
            assert granted == {Role(r) for r in STAFF_PAGES[path]}, \
                (path, permission)
        elif method == "GET" and path in PATIENT_PAGES:
            assert Role.PATIENT in granted, (path, permission)
        elif (method, path) in FHIR_WRITES:
            assert granted == FHIR_WRITES[method, path], (method, path, permission)
        elif path.startswith("/fhir/"):
            assert method == "GET", (method, path)
            assert granted == FHIR_READERS[path.split("/")[2]], (path, permission)
            fhir_reads += 1
        checked += 1
    assert checked > len(POLICY)  # the API's routes and the pages
    assert fhir_reads == 2 * len(FHIR_READERS)  # read and search of each resource type
