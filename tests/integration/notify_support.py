"""Builders for the notify tests: a stand-in SMS provider, an SMTP relay that misbehaves on
cue, and follow-ups written directly."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from sqlalchemy import Engine

from shared.db import sync_session
from shared.models import Case, FollowUp, Patient, TriageDecision
from tests.fixtures.smtp import free_port

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


@dataclass
class Relay:
    """A real SMTP server on loopback that keeps what it accepts, counts the connections it is
    opened, and misbehaves as a test asks: it closes a connection after `drop_after` messages
    on it (as a relay drops a connection it has served enough), or answers the MAIL command
    after that many with `busy_reply` instead (as a relay that says "421 closing"); it stops
    listening after `stop_after` messages in all; it answers RCPT to an address in `refuse`
    with the reply given there."""

    host: str = "127.0.0.1"
    port: int = 0
    drop_after: int | None = None
    busy_reply: str | None = None
    stop_after: int | None = None
    refuse: dict[str, str] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    connections: int = 0
    controller: Controller | None = None
    _on_connection: dict[int, int] = field(default_factory=dict)

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]

    async def handle_EHLO(self, _server, session, _envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, _server, session, envelope, address, _options):
        if self.busy_reply and self._on_connection.get(id(session), 0) == self.drop_after:
            return self.busy_reply
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, _server, _session, envelope, address, _options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.original_content))
        on_connection = self._on_connection[id(session)] = (
            self._on_connection.get(id(session), 0) + 1)
        if on_connection == self.drop_after and not self.busy_reply:
            server.loop.call_soon(server.transport.close)  # once the 250 below has gone out
        if len(self.messages) == self.stop_after:
            server.loop.call_soon(self.controller.server.close)  # no new connections
            server.loop.call_soon(server.transport.close)
        return "250 Message accepted for delivery"


@contextmanager
def smtp_relay(**behaviour) -> Iterator[Relay]:
    relay = Relay(port=free_port(), **behaviour)
    relay.controller = Controller(relay, hostname=relay.host, port=relay.port)
    relay.controller.start()
    try:
        yield relay
    finally:
        relay.controller.stop()


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
