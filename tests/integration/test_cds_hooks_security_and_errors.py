"""CDS Hooks: who may call (the EHR's JWT as the specification asks, issuers set by admins) and
every refusal: 401 missing or bad token, 401 replayed jti, 404 unknown service, 412 data
neither prefetched nor fetchable, 400 malformed request or context; fetching from fhirServer."""

from __future__ import annotations

import time
import uuid

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import OctKey

from services.intake.app import create_app
from services.intake.cds_hooks.schemas import HookResponse
from tests.integration.auth_helpers import bearer, make_user, sign_in
from tests.integration.cds_hooks_helpers import (
    Ehr,
    JsonServer,
    bundle,
    hook_call,
    patient,
    prefetch,
    questionnaire_response,
    register,
)
from tests.integration.test_cds_hooks_services import BASE, EMERGENCY

pytestmark = pytest.mark.integration
TRIAGE = "/cds-services/ankle-triage"


@pytest.fixture
def world(settings, clean_database, engine):
    with TestClient(create_app(settings.model_copy(update={"cds_hooks_base_url": BASE}))) \
            as client:
        admin = bearer(sign_in(client, make_user(engine, "admin").email))
        ehr = Ehr(BASE)
        issuer = register(client, admin, ehr)
        yield client, ehr, admin, issuer


def body(patient_id: str | None = None) -> dict:
    patient_id = patient_id or str(uuid.uuid4())
    return hook_call("patient-view", patient_id, pre=prefetch(patient_id, EMERGENCY))


def assert_refused(response, status: int, words: str) -> None:
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]


def test_a_call_without_a_token_is_401_with_a_bearer_challenge(world):
    client, *_ = world
    response = client.post(TRIAGE, json=body())
    assert_refused(response, 401, "Authorization: Bearer")
    assert response.headers["www-authenticate"] == "Bearer"
    assert client.get("/cds-services").status_code == 401


@pytest.mark.parametrize("alg", ["ES384", "RS384"])
def test_rs384_and_es384_tokens_are_accepted(settings, clean_database, engine, alg):
    with TestClient(create_app(settings.model_copy(update={"cds_hooks_base_url": BASE}))) \
            as client:
        ehr = Ehr(BASE, alg=alg)
        register(client, bearer(sign_in(client, make_user(engine, "admin").email)), ehr)
        response = client.post(TRIAGE, json=body(), headers=ehr.headers(TRIAGE))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(("change", "words"), [
    ({"key": Ehr(BASE).key}, "signature does not verify"),  # another key, same kid
    ({"claims": {"aud": f"{BASE}/cds-services/ottawa-xray-check"}}, "claims"),
    ({"claims": {"aud": f"{BASE}{TRIAGE}/"}}, "claims"),  # not exactly the URL
    ({"claims": {"exp": -120}}, "claims"),  # seconds from now, at run time
    ({"claims": {"exp": 3600}}, "within five minutes"),
    ({"claims": {"iat": 600, "exp": 700}}, "claims"),
    ({"claims": {"jti": None}}, "claims"),
    ({"claims": {"iss": "https://stranger.example"}}, "not a registered EHR"),
    ({"header": {"kid": "unknown-kid"}}, "kid"),
    ({"header": {"jku": "https://attacker.example/jwks.json"}}, "allowlist"),
])
def test_a_bad_token_is_401(world, change, words):
    # Times are offsets from now, made absolute here: computed at collection they went stale
    # in a long run (a token "issued in the future" had become a past one by then).
    now = int(time.time())
    claims = change.get("claims", {})
    change = {**change, "claims": {name: now + value if name in ("iat", "exp") else value
                                   for name, value in claims.items()}} if claims else change
    client, ehr, *_ = world
    response = client.post(TRIAGE, json=body(), headers=ehr.headers(TRIAGE, **change))
    assert_refused(response, 401, words)


def test_a_shared_secret_or_unsigned_token_is_401(world):
    client, ehr, *_ = world
    claims = {"iss": ehr.iss, "aud": f"{BASE}{TRIAGE}", "iat": int(time.time()),
              "exp": int(time.time()) + 60, "jti": str(uuid.uuid4())}
    hmac = jwt.encode({"alg": "HS256", "kid": ehr.key.kid}, claims,
                      OctKey.import_key("a-shared-secret-of-enough-length-1234"))
    unsigned = hmac.rsplit(".", 1)[0].replace(hmac.split(".")[0], "eyJhbGciOiJub25lIn0") + "."

    for token in (hmac, unsigned, "not-a-jwt"):
        response = client.post(TRIAGE, json=body(), headers=bearer(token))
        assert response.status_code == 401, response.text


def test_a_replayed_jti_is_401(world):
    client, ehr, *_ = world
    token = ehr.token(TRIAGE)

    first = client.post(TRIAGE, json=body(), headers=bearer(token))
    again = client.post(TRIAGE, json=body(), headers=bearer(token))

    assert first.status_code == 200, first.text
    assert_refused(again, 401, "used before")


def test_a_deactivated_issuer_is_401(world):
    client, ehr, admin, issuer = world
    client.patch(f"/cds-issuers/{issuer['id']}", headers=admin, json={"is_active": False})
    response = client.post(TRIAGE, json=body(), headers=ehr.headers(TRIAGE))
    assert_refused(response, 401, "not a registered EHR")


def test_a_jku_on_the_allowlist_is_followed_for_the_key(world):
    client, _ehr, admin, _issuer = world
    rotated = Ehr(BASE, iss="https://ehr-with-jku.example")
    with JsonServer({"/jwks.json": (200, rotated.public_jwks)}) as keys:
        register(client, admin, rotated, jwks={"keys": []},
                 jku_allowlist=[f"{keys.url}/jwks.json"])
        response = client.post(TRIAGE, json=body(), headers=rotated.headers(
            TRIAGE, header={"jku": f"{keys.url}/jwks.json"}))
    assert response.status_code == 200, response.text


def test_admins_register_public_keys_only(world, engine):
    client, ehr, admin, _issuer = world
    private = {"keys": [ehr.key.as_dict(private=True)]}
    secret = {"keys": [{"kty": "oct", "kid": "s", "k": "c2VjcmV0"}]}
    for jwks in (private, secret, {"keys": [{**ehr.public_jwks["keys"][0], "kid": ""}]}):
        response = client.post("/cds-issuers", headers=admin,
                               json={"iss": f"https://{uuid.uuid4().hex}.example",
                                     "name": "x", "jwks": jwks})
        assert response.status_code == 422, response.text
    clinician = bearer(sign_in(client, make_user(engine, "clinician").email))
    assert client.get("/cds-issuers", headers=clinician).status_code == 403
    assert client.post("/cds-issuers", headers=admin, json={
        "iss": ehr.iss, "name": "again", "jwks": ehr.public_jwks}).status_code == 409


def test_an_unknown_service_is_404(world):
    client, ehr, *_ = world
    path = "/cds-services/no-such-service"
    response = client.post(path, json=body(), headers=ehr.headers(path))
    assert_refused(response, 404, "no CDS service")
    feedback = client.post(path + "/feedback", json={"feedback": []},
                           headers=ehr.headers(path + "/feedback"))
    assert feedback.status_code == 404


def test_data_neither_prefetched_nor_fetchable_is_412(world):
    client, ehr, *_ = world
    patient_id = str(uuid.uuid4())
    no_prefetch = hook_call("patient-view", patient_id)
    unreachable = {**no_prefetch, "fhirServer": "http://127.0.0.1:9/fhir"}

    for request in (no_prefetch, unreachable):
        response = client.post(TRIAGE, json=request, headers=ehr.headers(TRIAGE))
        assert_refused(response, 412, "")


def test_a_server_that_refuses_the_token_is_412(world):
    client, ehr, *_ = world
    patient_id = str(uuid.uuid4())
    with JsonServer({}) as fhir:  # answers 404 to every search: not a FHIR search result
        request = {**hook_call("patient-view", patient_id), "fhirServer": f"{fhir.url}/fhir"}
        response = client.post(TRIAGE, json=request, headers=ehr.headers(TRIAGE))
    assert_refused(response, 412, "answered 404")


def test_missing_keys_are_fetched_from_the_fhir_server_with_the_ehrs_token(world):
    client, ehr, *_ = world
    patient_id = str(uuid.uuid4())
    routes = {f"/fhir/Patient/{patient_id}": (200, patient(patient_id)),
              "/fhir/QuestionnaireResponse": (200, bundle(
                  questionnaire_response(patient_id, EMERGENCY))),
              "/fhir/Observation": (200, bundle())}
    with JsonServer(routes) as fhir:
        request = {**hook_call("patient-view", patient_id), "fhirServer": f"{fhir.url}/fhir",
                   "fhirAuthorization": {"access_token": "ehr-access-token",
                                         "token_type": "Bearer", "expires_in": 300,
                                         "scope": "patient/*.read", "subject": "cds-service"}}
        response = client.post(TRIAGE, json=request, headers=ehr.headers(TRIAGE))

    assert response.status_code == 200, response.text
    assert HookResponse.model_validate(response.json()).cards[0].indicator == "critical"
    assert {auth for _path, auth in fhir.seen} == {"Bearer ehr-access-token"}
    assert any(path.startswith(f"/fhir/QuestionnaireResponse?patient={patient_id}&")
               for path, _ in fhir.seen)


@pytest.mark.parametrize("request_body", [
    {"hook": "patient-view", "hookInstance": "x", "context": {"userId": "Practitioner/1"}},
    {"hook": "patient-view", "context": {"userId": "Practitioner/1", "patientId": "p"}},
    {"hook": "order-sign", "hookInstance": "x",
     "context": {"userId": "Practitioner/1", "patientId": "p"}},
    {"hook": "patient-view", "hookInstance": "x", "context": "not an object"},
    {"hook": "patient-view", "hookInstance": "x",
     "context": {"userId": "Practitioner/1", "patientId": "p"},
     "fhirAuthorization": {"access_token": "t", "token_type": "Bearer", "expires_in": 1,
                           "scope": "s", "subject": "s"}},
    ["not", "an", "object"],
])
def test_a_malformed_request_or_context_is_400(world, request_body):
    client, ehr, *_ = world
    response = client.post(TRIAGE, json=request_body, headers=ehr.headers(TRIAGE))
    assert response.status_code == 400, response.text


def test_an_order_hook_without_draft_orders_is_400(world):
    client, ehr, *_ = world
    path = "/cds-services/ottawa-xray-check"
    response = client.post(path, json=hook_call("order-sign", "p"), headers=ehr.headers(path))
    assert_refused(response, 400, "malformed context: draftOrders")


def test_a_prefetched_response_about_another_patient_is_400(world):
    client, ehr, *_ = world
    request = hook_call("patient-view", str(uuid.uuid4()),
                        pre=prefetch(str(uuid.uuid4()), EMERGENCY))
    request["prefetch"]["patient"]["id"] = request["context"]["patientId"]
    response = client.post(TRIAGE, json=request, headers=ehr.headers(TRIAGE))
    assert_refused(response, 400, "another patient")


def test_no_patient_data_reaches_the_logs(world, caplog):
    client, ehr, *_ = world
    marker = "Zebedee-unique-note-42"
    request = body()
    request["prefetch"]["questionnaireResponses"]["entry"][0]["resource"]["item"][0]["item"]\
        .append({"linkId": "notes", "answer": [{"valueString": marker}]})
    with caplog.at_level("DEBUG"):
        client.post(TRIAGE, json=request, headers=ehr.headers(TRIAGE))
        client.post(TRIAGE, json={**request, "hookInstance": 5}, headers=ehr.headers(TRIAGE))
    assert marker not in caplog.text
    assert request["context"]["patientId"] not in caplog.text
