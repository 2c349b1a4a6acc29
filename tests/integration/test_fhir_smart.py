"""SMART Backend Services: a registered client signs a JWT assertion (RS384 or ES384) with its
private key, gets a five-minute access token for the scopes it asked for and was registered
with, and reads with it; a wrong key, an expired or replayed assertion, a wrong audience and a
missing scope are refused. The assertions are made with joserfc, as a client would."""

from __future__ import annotations

import base64
import json
import time
import uuid

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey
from sqlalchemy import text

from services.intake.fhir.smart import registry
from tests.fixtures.fhir import FhirClient
from tests.integration.auth_helpers import bearer
from tests.integration.fhir_outbound_helpers import routed_case

pytestmark = pytest.mark.integration

TOKEN_URL = "http://testserver/fhir/auth/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class Client:
    """A backend client: its key pair, registered with these scopes."""

    def __init__(self, engine, scopes: list[str], algorithm: str = "RS384"):
        self.algorithm = algorithm
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"}) \
            if algorithm == "RS384" else ECKey.generate_key("P-384", parameters={"kid": "k1"})
        self.id = registry.register(engine, "Analytics", {"keys": [self.key.as_dict(
            private=False)]}, scopes)

    def assertion(self, *, key=None, lifetime: int = 240, audience: str = TOKEN_URL,
                  jti: str | None = None, issuer: str | None = None) -> str:
        now = int(time.time())
        claims = {"iss": issuer or str(self.id), "sub": str(self.id), "aud": audience,
                  "exp": now + lifetime, "jti": jti or uuid.uuid4().hex}
        return jwt.encode({"alg": self.algorithm, "kid": "k1", "typ": "JWT"}, claims,
                          key or self.key, algorithms=[self.algorithm])


def ask_token(app, assertion: str, scope: str = "system/Task.read"):
    return app.post("/fhir/auth/token", data={
        "grant_type": "client_credentials", "scope": scope,
        "client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion})


@pytest.fixture
def reader_client(engine):
    return Client(engine, ["system/Task.read", "system/Patient.read",
                           "system/ClinicalImpression.rs"])


def test_the_smart_configuration_names_the_token_endpoint_and_what_it_takes(fhir_app):
    config = fhir_app.get("/fhir/.well-known/smart-configuration").json()
    assert config["token_endpoint"] == TOKEN_URL
    assert config["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert set(config["token_endpoint_auth_signing_alg_values_supported"]) == {"RS384", "ES384"}
    assert "client-confidential-asymmetric" in config["capabilities"]


@pytest.mark.parametrize("algorithm", ["RS384", "ES384"])
def test_a_valid_assertion_gets_a_token_that_reads_tasks(fhir_app, fhir_validator, desk,
                                                         engine, algorithm):
    client = Client(engine, ["system/Task.read", "system/Patient.read"], algorithm)
    patient_id, *_ = routed_case(desk, engine)
    answer = ask_token(fhir_app, client.assertion(), "system/Task.read system/Patient.read")
    assert answer.status_code == 200, answer.text
    granted = answer.json()
    assert granted["token_type"] == "bearer" and granted["expires_in"] == 300
    assert granted["scope"] == "system/Task.read system/Patient.read"
    assert answer.headers["cache-control"] == "no-store"

    system = FhirClient(fhir_app, fhir_validator, bearer(granted["access_token"]))
    bundle = system.get(f"/fhir/Task?patient={patient_id}&_include=Task:patient").json()
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Task", "Patient"]
    task_id = bundle["entry"][0]["resource"]["id"]
    assert system.get(f"/fhir/Task/{task_id}").status_code == 200
    with engine.connect() as conn:
        actors = {row[0] for row in conn.execute(text(
            "SELECT actor_id FROM audit_events WHERE resource_type IN ('Task', 'List') "
            "AND actor_role = 'system'"))}
    assert f"client:{client.id}" in actors  # the client's reads are audited as the client's


def test_scopes_are_enforced_per_resource_and_interaction(fhir_app, fhir_validator, desk,
                                                          engine, reader_client):
    patient_id, _response, _case, decision = routed_case(desk, engine)
    token = ask_token(fhir_app, reader_client.assertion(),
                      "system/ClinicalImpression.rs system/Task.read").json()["access_token"]
    system = FhirClient(fhir_app, fhir_validator, bearer(token))
    assert system.get(f"/fhir/ClinicalImpression/{decision.id}").status_code == 200
    assert system.get(f"/fhir/ClinicalImpression?patient={patient_id}").json()["total"] == 1
    for path in (f"/fhir/RiskAssessment/{decision.id}", f"/fhir/Patient/{patient_id}",
                 "/fhir/AuditEvent?patient=" + patient_id,
                 f"/fhir/Task?patient={patient_id}&_include=Task:patient"):
        refused = system.get(path)
        assert refused.status_code == 403, path
        assert "insufficient_scope" in refused.headers["www-authenticate"]
    # Writing stays with people: a backend token does not sign anyone in elsewhere.
    assert fhir_app.get(f"/cases/{_case}", headers=bearer(token)).status_code == 401


def test_a_scope_the_client_was_not_registered_with_is_not_granted(fhir_app, reader_client):
    partly = ask_token(fhir_app, reader_client.assertion(),
                       "system/Task.read system/AuditEvent.read")
    assert partly.status_code == 200 and partly.json()["scope"] == "system/Task.read"
    none = ask_token(fhir_app, reader_client.assertion(), "system/AuditEvent.read")
    assert (none.status_code, none.json()["error"]) == (400, "invalid_scope")
    write = ask_token(fhir_app, reader_client.assertion(), "system/Task.write")
    assert (write.status_code, write.json()["error"]) == (400, "invalid_scope")


def test_an_assertion_signed_with_another_key_is_refused(fhir_app, reader_client):
    stranger = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    refused = ask_token(fhir_app, reader_client.assertion(key=stranger))
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    assert "signature" in refused.json()["error_description"]


def test_an_expired_assertion_is_refused(fhir_app, reader_client):
    refused = ask_token(fhir_app, reader_client.assertion(lifetime=-120))
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    assert "exp" in refused.json()["error_description"]


def test_an_assertion_living_longer_than_five_minutes_is_refused(fhir_app, reader_client):
    refused = ask_token(fhir_app, reader_client.assertion(lifetime=3600))
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")


def test_a_replayed_assertion_is_refused(fhir_app, reader_client):
    assertion = reader_client.assertion()
    assert ask_token(fhir_app, assertion).status_code == 200
    replayed = ask_token(fhir_app, assertion)
    assert (replayed.status_code, replayed.json()["error"]) == (401, "invalid_client")
    assert "jti" in replayed.json()["error_description"]
    other_jti = ask_token(fhir_app, reader_client.assertion())
    assert other_jti.status_code == 200


def test_an_assertion_for_another_audience_is_refused(fhir_app, reader_client):
    refused = ask_token(fhir_app, reader_client.assertion(
        audience="https://other.example/fhir/auth/token"))
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    assert "aud" in refused.json()["error_description"]


def test_an_unknown_or_disabled_client_and_a_bad_request_are_refused(fhir_app, engine,
                                                                     reader_client):
    unknown = ask_token(fhir_app, reader_client.assertion(issuer=str(uuid.uuid4())))
    assert (unknown.status_code, unknown.json()["error"]) == (401, "invalid_client")
    token = ask_token(fhir_app, reader_client.assertion()).json()["access_token"]
    assert fhir_app.get("/fhir/Task", headers=bearer(token)).status_code == 200
    registry.set_active(engine, reader_client.id, False)
    stopped = fhir_app.get("/fhir/Task", headers=bearer(token))
    assert stopped.status_code == 401 and stopped.json()["resourceType"] == "OperationOutcome"
    assert ask_token(fhir_app, reader_client.assertion()).status_code == 401
    wrong_grant = fhir_app.post("/fhir/auth/token", data={"grant_type": "password"})
    assert wrong_grant.json()["error"] == "unsupported_grant_type"


def test_a_tampered_access_token_is_refused(fhir_app, reader_client):
    token = ask_token(fhir_app, reader_client.assertion()).json()["access_token"]
    header, payload, signature = token.removeprefix("smart.").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["scope"] = "system/*.read"  # more than was granted
    widened = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    forged = "smart." + f"{header}.{widened}.{signature}"
    assert fhir_app.get("/fhir/Task", headers=bearer(forged)).status_code == 401
    assert fhir_app.get("/fhir/Task", headers=bearer(token)).status_code == 200


def test_registration_refuses_private_keys_and_write_scopes(engine):
    key = RSAKey.generate_key(2048)
    with pytest.raises(registry.InvalidRegistration, match="private"):
        registry.register(engine, "x", {"keys": [key.as_dict(private=True)]},
                          ["system/Task.read"])
    with pytest.raises(registry.InvalidRegistration, match="scopes"):
        registry.register(engine, "x", {"keys": [key.as_dict(private=False)]},
                          ["system/Task.write"])
