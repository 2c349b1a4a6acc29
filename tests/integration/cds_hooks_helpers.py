"""Playing the EHR in the CDS Hooks tests: its keys, its signed JWTs, its prefetched data and
draft orders, and a small HTTP server standing in for its FHIR server or JWK Set URL."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from services.intake.fhir.definitions import definitions
from services.intake.fhir.questionnaire_responses import answer_items, response_resource
from shared.clinical_record import PreVisitHistory

EHR_ISS = "https://ehr.example.org"
FHIR_JSON = "application/fhir+json"
FINDING_SYSTEM = "https://ankle-triage.clinic/fhir/CodeSystem/exam-finding"


class Ehr:
    """An EHR with its own signing key (ES384 by default, RS384 on request)."""

    def __init__(self, base: str, iss: str = EHR_ISS, alg: str = "ES384"):
        self.base, self.iss, self.alg = base.rstrip("/"), iss, alg
        self.key = ECKey.generate_key("P-384", parameters={"kid": f"ec-{uuid.uuid4().hex[:6]}"}) \
            if alg.startswith("ES") else RSAKey.generate_key(
                2048, parameters={"kid": f"rsa-{uuid.uuid4().hex[:6]}"})

    @property
    def public_jwks(self) -> dict:
        return {"keys": [self.key.as_dict(private=False)]}

    def token(self, path: str, *, claims: dict | None = None, header: dict | None = None,
              key=None, alg: str | None = None) -> str:
        now = int(time.time())
        body = {"iss": self.iss, "aud": f"{self.base}{path}", "iat": now, "exp": now + 240,
                "jti": str(uuid.uuid4()), "sub": "ehr-client-1", **(claims or {})}
        body = {k: v for k, v in body.items() if v is not None}
        alg = alg or self.alg
        head = {"alg": alg, "typ": "JWT", "kid": self.key.kid, **(header or {})}
        return jwt.encode(head, body, key or self.key, algorithms=[alg])

    def headers(self, path: str, **kwargs) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(path, **kwargs)}"}


def register(client, admin_headers: dict, ehr: Ehr, **extra) -> dict:
    response = client.post("/cds-issuers", headers=admin_headers, json={
        "iss": ehr.iss, "name": "Test EHR", "jwks": ehr.public_jwks, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def questionnaire_response(patient_id: str, history: dict, *, case_id: str | None = None,
                           authored: datetime | None = None) -> dict:
    """A completed ankle-previsit response as the product's FHIR facade writes one."""
    definition = definitions()["ankle-previsit"]
    stored = PreVisitHistory(**history).model_dump(mode="json", exclude_none=True)
    resource = response_resource(
        response_id=uuid.uuid4(), definition=definition, version=definition.version,
        status="completed", patient_id=uuid.UUID(patient_id),
        authored=authored or datetime.now(UTC), items=answer_items(definition, stored),
        case_id=uuid.UUID(case_id) if case_id else None)
    return resource.as_json()


def patient(patient_id: str, birth_date: str = "1990-04-02", gender: str = "female") -> dict:
    return {"resourceType": "Patient", "id": patient_id, "birthDate": birth_date,
            "gender": gender}


def observation(patient_id: str, code: str, value) -> dict:
    resource = {"resourceType": "Observation", "id": str(uuid.uuid4()), "status": "final",
                "code": {"coding": [{"system": FINDING_SYSTEM, "code": code}]},
                "subject": {"reference": f"Patient/{patient_id}"},
                "effectiveDateTime": datetime.now(UTC).isoformat()}
    if isinstance(value, bool):
        resource["valueBoolean"] = value
    else:
        resource["valueQuantity"] = {"value": value}
    return resource


def bundle(*resources: dict) -> dict:
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
            "entry": [{"resource": r} for r in resources]}


def prefetch(patient_id: str, history: dict | None, findings: dict | None = None,
             **response_options) -> dict:
    return {
        "patient": patient(patient_id),
        "questionnaireResponses": bundle(
            *([questionnaire_response(patient_id, history, **response_options)]
              if history is not None else [])),
        "observations": bundle(*(observation(patient_id, code, value)
                                 for code, value in (findings or {}).items())),
    }


def hook_call(hook: str, patient_id: str, *, pre: dict | None = None, **context) -> dict:
    body = {"hook": hook, "hookInstance": str(uuid.uuid4()),
            "context": {"userId": "Practitioner/dr-1", "patientId": patient_id, **context}}
    if pre is not None:
        body["prefetch"] = pre
    return body


def xray_order(code: dict, order_id: str | None = None) -> dict:
    return {"resourceType": "ServiceRequest", "id": order_id or str(uuid.uuid4()),
            "status": "draft", "intent": "order", "code": code,
            "subject": {"reference": "Patient/placeholder"}}


ANKLE_XRAY = {"coding": [{"system": "http://loinc.org", "code": "36294-7",
                          "display": "XR Ankle 3 Views"}], "text": "XR Ankle 3 Views"}
CHEST_XRAY = {"coding": [{"system": "http://loinc.org", "code": "36643-5",
                          "display": "XR Chest 2 Views"}]}


def draft_orders(*orders: dict) -> dict:
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"resource": order} for order in orders]}


def years_ago(years: int) -> str:
    today = date.today()
    return today.replace(year=today.year - years).isoformat()


class JsonServer:
    """A real HTTP server on localhost answering GETs from a path -> (status, body) map, and
    recording the Authorization header of each request."""

    def __init__(self, routes: dict[str, tuple[int, object]]):
        self.routes, self.seen = routes, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.seen.append((self.path, self.headers.get("Authorization")))
                status, body = server.routes.get(self.path.split("?")[0], (404, {}))
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", FHIR_JSON)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):  # quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
