"""Builders for the notify tests: a stand-in SMS provider and follow-ups written directly."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import Engine

from shared.db import sync_session
from shared.models import Case, FollowUp, Patient, TriageDecision

DIAGNOSIS_WORDS = ("sprain", "fracture", "x-ray", "xray", "imaging", "achilles", "tendin",
                   "physio", "surgical", "ottawa", "diagnos")


@dataclass
class SmsProvider:
    """A local HTTP server standing in for the SMS provider. `statuses` answers the requests
    in turn (the last repeats); every request is kept, whatever it was answered."""

    statuses: list[int] = field(default_factory=lambda: [202])
    requests: list[dict] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, body: dict, headers: dict) -> int:
        with self._lock:
            status = self.statuses[min(len(self.requests), len(self.statuses) - 1)]
            self.requests.append({"body": body, "headers": headers, "status": status})
            return status

    def delivered(self) -> list[dict]:
        return [r["body"] for r in self.requests if r["status"] < 300]


@contextmanager
def sms_provider(statuses: list[int] | None = None) -> Iterator[SmsProvider]:
    provider = SmsProvider(statuses=statuses or [202])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("content-length", 0))
            status = provider.answer(json.loads(self.rfile.read(length)), dict(self.headers))
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    provider.url = f"http://127.0.0.1:{server.server_port}/messages"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()


def add_patient(engine: Engine, **fields) -> Patient:
    unique = uuid.uuid4().hex[:8]
    patient = Patient(given_name=fields.pop("given_name", "Rosa"), family_name=f"F{unique}",
                      birth_date=date(1990, 4, 2), **fields)
    with sync_session(engine) as session, session.begin():
        session.add(patient)
    return patient


def add_decision(engine: Engine, patient: Patient, decided_at: datetime,
                 plan: list[dict]) -> TriageDecision:
    with sync_session(engine) as session, session.begin():
        case = Case(patient_id=patient.id)
        session.add(case)
        session.flush()
        decision = TriageDecision(
            case_id=case.id, request_id=uuid.uuid4(), queue="imaging", urgency="soon",
            ruleset_version="test", ruleset_hash="test", inputs={},
            outcome={"follow_up_plan": plan, "conditions": ["ankle fracture"]},
            decided_at=decided_at)
        session.add(decision)
    return decision


def add_due_follow_ups(engine: Engine, patient: Patient, due_at: datetime,
                       count: int = 1) -> list[FollowUp]:
    decision = add_decision(engine, patient, due_at, [])
    follow_ups = [FollowUp(case_id=decision.case_id, decision_id=decision.id, step=i,
                           kind="check_in", purpose="check in", due_at=due_at,
                           next_attempt_at=due_at) for i in range(count)]
    with sync_session(engine) as session, session.begin():
        session.add_all(follow_ups)
    return follow_ups
