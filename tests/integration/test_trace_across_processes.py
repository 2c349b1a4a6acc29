"""One case, one trace: the API request, the outbox row, the relay's publish, the triage task,
the notify task and the staff alert's delivery, with spans from the FastAPI, SQLAlchemy,
Redis and Celery instrumentations, as production makes them.

In one process: the API through TestClient, the real relay function publishing to the real
Redis, and each task run from the message the relay put on Redis, the way a worker runs it
(Celery's trace_task with the message's headers as its request, so the Celery
instrumentation reads the trace context from the message itself). Spans go to an in-memory
exporter behind the same scrubbing exporter production uses.
"""

from __future__ import annotations

import base64
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from celery.app.trace import trace_task
from opentelemetry.instrumentation.celery import CeleryInstrumentor
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import text

from shared.messaging import make_celery
from shared.observability import tracing
from shared.observability.metrics import OUTBOX_CREATED_AT
from shared.outbox.relay import publish_pending
from shared.settings import get_settings
from tests.integration.auth_helpers import make_user
from tests.integration.helpers import create_patient

pytestmark = pytest.mark.integration

# A cold, pale foot after an injury: an emergency, so notify alerts a clinician at once.
EMERGENCY = {"onset": "injury", "injury_mechanism": "rolled_outward",
             "walked_four_steps_immediately": False, "walks_four_steps_now": False,
             "pain_locations": ["outside"], "swelling": "moderate",
             "foot_cold_pale_or_blue": True}


@pytest.fixture
def redis_url(redis_server_url: str):
    """A Redis database of its own: workers of an end-to-end test beside this one (database 1)
    would take its messages off the queues."""
    url = f"{redis_server_url.rstrip('/')}/9"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


@pytest.fixture
def spans():
    """Spans exported in memory, through the same scrubbing exporter as production's OTLP
    (the provider is the process's: another test's create_app may have made it already)."""
    exporter = InMemorySpanExporter()
    tracing.configure("tests")
    tracing.export_to(exporter, SimpleSpanProcessor)
    tracing.instrument_celery_worker()
    yield exporter
    exporter.shutdown()  # the processor stays on the provider; a shut exporter keeps nothing


@pytest.fixture
def worker_settings(monkeypatch, settings, smtp_sink):
    """What the workers' get_settings() reads, and their engines on this test's database."""
    import services.notify.tasks as notify_tasks
    import services.triage.tasks as triage_tasks

    for name, value in {"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url,
                        "CLINIC_ENV": "test", "CLINIC_SECRET_KEY": settings.secret_key,
                        "SMTP_HOST": smtp_sink.host, "SMTP_PORT": str(smtp_sink.port)}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield triage_tasks, notify_tasks
    get_settings.cache_clear()


def in_a_thread_of_its_own(function, *args):
    """Each process starts with no trace context: a new thread starts with an empty one, so a
    context can reach the next step only through the message, as between processes."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


def relay_once(engine, relay) -> int:
    """The relay process does not load the Celery instrumentation (its publish hook leaves its
    span open for a task the relay does not know); the context it sends is the outbox row's."""
    instrumentor = CeleryInstrumentor()
    instrumentor.uninstrument()
    try:
        return in_a_thread_of_its_own(publish_pending, engine, relay)
    finally:
        instrumentor.instrument()


def run_next_message(redis_url: str, queue: str, celery_app) -> dict:
    return in_a_thread_of_its_own(_run_next_message, redis_url, queue, celery_app)


def _run_next_message(redis_url: str, queue: str, celery_app) -> dict:
    """Takes the next message off `queue` and runs its task as a worker would: the message's
    headers are the task's request (Celery's own Request does the same)."""
    client = redis.Redis.from_url(redis_url)
    raw = client.rpop(queue)  # kombu pushes on the left and reads from the right
    client.close()
    assert raw is not None, f"nothing on {queue}"
    envelope = json.loads(raw)
    headers = envelope["headers"]
    args, kwargs, embed = json.loads(base64.b64decode(envelope["body"]))
    task = celery_app.tasks[headers["task"]]
    request = {**headers, **embed, "delivery_info": {"redelivered": False},
               "is_eager": False}
    trace_task(task, headers["id"], args, kwargs, request=request, app=celery_app)
    return headers


def test_one_trace_spans_the_api_relay_triage_and_notify_for_one_case(
    spans, worker_settings, client, engine, settings, redis_url, smtp_sink, monkeypatch
):
    triage_tasks, notify_tasks = worker_settings
    monkeypatch.setattr(triage_tasks, "engine", lambda: engine)
    monkeypatch.setattr(notify_tasks, "engine", lambda: engine)
    clinician = make_user(engine, "clinician")
    patient = create_patient(client)
    relay = make_celery("outbox-relay", settings)

    answer = client.post("/cases", json={"patient_id": patient["id"], "history": EMERGENCY})
    assert answer.status_code == 201
    case_id = answer.json()["id"]
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT headers FROM outbox_messages")).scalar_one()
    assert set(stored) == {"traceparent"}  # the request's context, stored with the message

    assert relay_once(engine, relay) == 1
    triage_headers = run_next_message(redis_url, "triage", triage_tasks.app)
    assert OUTBOX_CREATED_AT in triage_headers
    assert relay_once(engine, relay) == 1  # "case routed", written by the triage task
    run_next_message(redis_url, "notify", notify_tasks.app)
    assert smtp_sink.to(clinician.email), "the emergency alert was not delivered"

    finished = spans.get_finished_spans()
    request = next(s for s in finished if s.name == "POST /cases" and s.parent is None)
    one_trace = [s for s in finished if s.context.trace_id == request.context.trace_id]
    names = {s.name for s in one_trace}
    services = {s.resource.attributes["service.name"] for s in one_trace}
    scopes = {s.instrumentation_scope.name for s in one_trace}

    assert {"outbox publish triage.cases.evaluate", "run/triage.cases.evaluate",
            "outbox publish notify.cases.routed", "run/notify.cases.routed",
            "deliver email"} <= names, sorted(names)
    assert {"opentelemetry.instrumentation.fastapi", "opentelemetry.instrumentation.sqlalchemy",
            "opentelemetry.instrumentation.celery", "clinic"} <= scopes, sorted(scopes)
    assert any(s.name.startswith("INSERT") for s in one_trace)  # the request's own queries
    assert services  # every span names its service
    # Each step is the child of the one before it: one chain, not spans that merely share ids.
    by_id = {s.context.span_id: s for s in one_trace}
    delivery = next(s for s in one_trace if s.name == "deliver email")
    chain = []
    current = delivery
    while current is not None:
        chain.append(current.name)
        current = by_id.get(current.parent.span_id) if current.parent else None
    assert chain[-1] == "POST /cases"
    steps = [n for n in chain if n.startswith(("run/", "outbox publish"))]
    assert steps == ["run/notify.cases.routed", "outbox publish notify.cases.routed",
                     "run/triage.cases.evaluate", "outbox publish triage.cases.evaluate"]
    assert case_id not in json.dumps([dict(s.attributes) for s in one_trace])  # ids in paths only


def test_a_link_token_in_a_url_never_reaches_a_span(spans, client):
    client.get("/form?token=eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBhdGllbnQtbGluaw.c2lnbmF0dXJlLXNpZ25hdHVyZQ")

    exported = spans.get_finished_spans()
    text_of_spans = json.dumps([{"name": s.name, **{k: str(v) for k, v in s.attributes.items()}}
                                for s in exported])
    assert "/form" in text_of_spans  # the request was traced
    assert "c2VjcmV0LXBhdGllbnQtbGluaw" not in text_of_spans
    assert "token=[redacted]" in text_of_spans
