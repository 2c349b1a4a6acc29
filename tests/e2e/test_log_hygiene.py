"""A canary patient whose every field holds a unique marker goes through the whole flow,
including rejected input, a unique-key conflict and a failing task. Afterwards the marker
must appear in no service log, nowhere in Redis (broker and results) and in no task result.
Nor may any patient link token the flow used (issued, opened, emailed, revoked): a token is a
credential for days."""

from __future__ import annotations

import json
import re
import uuid

import pytest
import redis
from sqlalchemy import text

from shared.contracts import TriageCase
from tests.e2e.system import RunningSystem
from tests.fixtures.smtp import SmtpSink
from tests.integration.auth_helpers import staff_headers
from tests.integration.helpers import twisted_ankle_history

pytestmark = pytest.mark.e2e


def redis_dump(url: str) -> str:
    """Every key and value in the database, whatever its type, as one text."""
    client = redis.Redis.from_url(url)
    readers = {b"string": client.get, b"list": lambda k: client.lrange(k, 0, -1),
               b"hash": client.hgetall, b"set": client.smembers,
               b"zset": lambda k: client.zrange(k, 0, -1)}
    parts = []
    for key in client.scan_iter(count=1000):
        reader = readers.get(client.type(key))
        parts.append(f"{key!r} {reader(key) if reader else ''!r}")
    client.close()
    return "\n".join(parts)


def link_tokens_in(mail) -> list[str]:
    """The tokens of every link in an email, whatever its parts and transfer encoding."""
    bodies = [part.get_payload(decode=True) or b"" for part in mail.walk()
              if not part.is_multipart()]
    return re.findall(r"token=([\w.-]+)", b"\n".join(bodies).decode(errors="replace"))


def use_a_patient_link_as_a_patient_would(api, desk: dict, patient_id: str) -> str:
    """Issued by the desk, opened in the browser, used on the API, then revoked and opened
    again: every request that carries the token is logged."""
    token = api.post(f"/patients/{patient_id}/links", headers=desk,
                     json={"purpose": "intake"}).json()["token"]
    assert api.get(f"/form?token={token}").status_code == 303
    assert api.get(f"/form?token={token}&lang=es").status_code == 303
    assert api.post("/cases", headers={"Authorization": f"Bearer {token}"}, json={
        "patient_id": patient_id, "history": twisted_ankle_history()}).status_code == 201
    assert api.post(f"/patients/{patient_id}/links/revoke", headers=desk).status_code == 200
    assert api.get(f"/form?token={token}").status_code == 401
    return token


def force_a_failing_triage_task(engine, patient_id: str, marker: str) -> str:
    """Stored answers that no longer validate (a note far over its limit) make the task fail."""
    case_id, message_id = str(uuid.uuid4()), uuid.uuid4()
    message = TriageCase(message_id=message_id, case_id=uuid.UUID(case_id), reason="sweep")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO cases (id, patient_id, status, created_at, updated_at) "
                          "VALUES (:c, :p, 'awaiting_triage', now(), now())"),
                     {"c": case_id, "p": patient_id})
        conn.execute(text(
            "INSERT INTO intake_responses (id, case_id, questionnaire, questionnaire_version, "
            "status, source, answers, authored_at) VALUES (gen_random_uuid(), :c, 'ankle-previsit',"
            " '1.0.0', 'completed', 'patient', CAST(:a AS jsonb), now())"),
            {"c": case_id, "a": json.dumps({"notes": marker * 200})})
        conn.execute(text(
            "INSERT INTO outbox_messages (message_id, task_name, queue, payload, created_at, "
            "attempts) VALUES (:m, :t, :q, CAST(:p AS jsonb), now(), 0)"),
            {"m": message_id, "t": message.task_name, "q": message.queue,
             "p": message.model_dump_json()})
    return case_id


# What a JSON log line may hold (shared/observability/log_format.py): nothing else of a record.
JSON_FIELDS = {"time", "level", "service", "logger", "message", "request_id", "trace_id",
               "span_id"}


def json_entries(logs: str) -> list[dict]:
    """The JSON lines of the logs (what Celery and uvicorn print before logging is set up,
    their banners, stays text)."""
    return [json.loads(line) for line in logs.splitlines() if line.startswith("{")]


def check_json_lines(entries: list[dict], case_id: str) -> None:
    """Every JSON line holds only the known fields; each process wrote some; API request lines
    carry their request and trace ids, and the triage worker's lines for the case carry the
    trace of the request that asked for the triage."""
    assert entries
    for entry in entries:
        assert set(entry) - {"exception"} == JSON_FIELDS, entry
        assert entry["time"].endswith("+00:00") and entry["level"] in (
            "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
    assert {"intake", "relay", "triage", "notify", "scheduler"} <= {e["service"] for e in entries}
    # Probes and scrapes are not traced (shared/observability/tracing.py); every other request
    # line carries both ids.
    requests = [e for e in entries if e["logger"] == "uvicorn.access"
                and " /health/" not in e["message"] and " /metrics " not in e["message"]]
    assert requests
    assert [e["message"] for e in requests if not (e["request_id"] and e["trace_id"])] == []
    # Routed after the form, and again after the exam: each in the trace of its request.
    case_requests = {e["trace_id"] for e in requests if '"POST /cases HTTP' in e["message"]}
    exam_requests = {e["trace_id"] for e in requests if "/exam-findings HTTP" in e["message"]}
    routed = [e for e in entries if f"case {case_id} routed to" in e["message"]]
    assert {e["service"] for e in routed} == {"triage"}
    assert {e["trace_id"] in case_requests for e in routed} == {True, False}
    assert all(e["trace_id"] in case_requests | exam_requests for e in routed)


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_no_patient_data_reaches_logs_redis_or_task_results(
    clean_database, system: RunningSystem, smtp_sink: SmtpSink, engine, redis_url, log_format
):
    marker = f"CANARY{uuid.uuid4().hex[:10].upper()}"
    api = system.api
    desk = staff_headers(api, engine, "front_desk")
    admin = staff_headers(api, engine, "admin")
    clinician = staff_headers(api, engine, "clinician")
    email = f"{marker.lower()}@example.com"

    patient = api.post("/patients", headers=desk, json={
        "given_name": f"{marker}Given", "family_name": f"{marker}Family",
        "birth_date": "1985-06-15", "email": email}).json()["patient"]
    case = api.post("/cases", headers=desk, json={"patient_id": patient["id"], "history": {
        **twisted_ankle_history(), "notes": f"history {marker}"}}).json()
    # Routed before the exam is recorded: otherwise the exam's triage may route the case first
    # and the form's request, arriving second, is rightly skipped (services/triage/service.py),
    # leaving no routing in the form request's trace for check_json_lines to find.
    system.wait_for(lambda: api.get(f"/cases/{case['id']}", headers=clinician).json()
                    .get("decision"), 15, "the form's routing")
    assert api.post(f"/cases/{case['id']}/exam-findings", headers=desk, json={"findings": {
        "notes": f"exam {marker}", "bears_weight_four_steps_in_clinic": False}}).status_code == 201

    # Rejected input, a duplicate patient, and a unique-key conflict in the database.
    assert api.post("/patients", headers=desk, json={
        "given_name": marker, "family_name": marker, "birth_date": marker}).status_code == 422
    assert api.post("/cases", headers=desk, json={"patient_id": patient["id"], "history": {
        "notes": marker, "walks_four_steps_now": marker}}).status_code == 422
    assert api.post("/patients", headers=desk, json={
        "given_name": f"{marker}Given", "family_name": f"{marker}Family",
        "birth_date": "1985-06-15"}).status_code == 409
    account = {"email": email, "display_name": marker, "role": "clinician",
               "password": f"password {marker}"}
    assert api.post("/users", headers=admin, json=account).status_code == 201
    assert api.post("/users", headers=admin, json=account).status_code == 409
    assert api.post("/auth/sign-in", json={"email": email, "password": marker}).status_code == 401

    link_token = use_a_patient_link_as_a_patient_would(api, desk, patient["id"])

    # A task that fails on the canary's data lands, as a dead letter, on the staff's list.
    force_a_failing_triage_task(engine, patient["id"], marker)
    system.wait_for(lambda: "UnreadableRecord" in system.log_text(), 20, "the failing task")
    dead = system.wait_for(lambda: api.get("/dead-letters", headers=clinician).json()["items"],
                           20, "the dead letter")
    assert [d["error_type"] for d in dead] == ["UnreadableRecord"]
    assert marker.lower() not in json.dumps(dead).lower()

    # The good case is routed and its reminder sent.
    system.wait_for(lambda: api.get(f"/cases/{case['id']}", headers=clinician).json()
                    .get("decision"), 15, "routing")
    system.stop("notify")
    system.start("notify", CLINIC_CLOCK_OFFSET_SECONDS=str(30 * 86400))
    reminder = system.wait_for(lambda: smtp_sink.to(email), 30, "the reminder")[0]
    emailed_tokens = link_tokens_in(reminder)
    assert len(emailed_tokens) >= 2  # the check-in and the opt-out link
    for token in emailed_tokens:  # opened from the email (refused or not, each is logged)
        api.get(f"/check-in?token={token}")
        api.get(f"/opt-out?token={token}&channel=email")

    broker = redis_dump(redis_url)
    system.stop_all()
    logs = system.log_text()
    if log_format == "json":
        entries = json_entries(logs)
        check_json_lines(entries, case["id"])
        readable = "\n".join(entry["message"] for entry in entries)
    else:
        readable = logs

    # The logs were captured (requests, the routing, the failure), yet hold no canary (in
    # any field of any line: the whole text is searched).
    assert "POST /patients" in readable and "UnreadableRecord" in readable
    assert "routed to" in readable
    assert marker.lower() not in logs.lower()
    assert marker.lower() not in broker.lower()
    assert "celery-task-meta" not in broker  # no stored task results to leak through

    # The requests that carried a link token were logged, with the token taken out.
    assert "GET /form?token=[redacted] HTTP/1.1\" 303" in readable
    assert "GET /form?token=[redacted]&lang=es HTTP/1.1\" 303" in readable
    assert "GET /check-in?token=[redacted] HTTP/1.1" in readable
    assert "GET /opt-out?token=[redacted]&channel=email HTTP/1.1" in readable
    for token in (link_token, *emailed_tokens):
        assert token not in logs
        assert token not in broker
        assert token.split(".")[-1] not in logs  # not even its signature
