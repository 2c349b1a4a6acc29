"""OpenTelemetry traces: one trace from the API request to the delivery.

    tracing.configure("intake")            # each process's composition root, once
    tracing.outbox_headers()               # the trace context an outbox row carries
    with tracing.publishing(row.headers, row.task_name, row.queue) as headers: ...  # the relay

The path of a case: the API's request span writes the outbox row, which stores the request's
trace context (W3C `traceparent`) in its `headers` column; the relay publishes the row in a
span whose parent is that context and hands the context on in the Celery message's headers;
the Celery instrumentation makes the triage task's span its child; the triage task's outbox row
("case routed") carries the task's context the same way to the notify task, whose deliveries
(a staff alert sent at once) are spans inside it. A reminder sent days later by the dispatcher
runs in the dispatch's own trace.

Spans are made by the SDK and the FastAPI, Celery, SQLAlchemy and Redis instrumentations. They
are exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT (or _TRACES_ENDPOINT) is set.
When not, only the request, task, publish and delivery spans are made, and dropped: their
trace ids still reach the log lines, so one case can be followed through every process's log,
and the per-query and per-command spans, the bulk of the cost, are not made at all. Before export every attribute value, event and span name is scrubbed of
link tokens (shared/logging.redact_link_tokens): a request to `/form?token=...` must not leave
its credential in a tracing backend.

A database or Redis call outside any request or task (the relay's polling, heartbeats, the
workers' broker reads) would start a trace of its own several times a second; the sampler
drops such root client spans.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_ON,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
)
from opentelemetry.trace import SpanKind

from shared.logging import redact_link_tokens

TRACER_NAME = "clinic"
SERVICE_PREFIX = "clinic-"
ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
# Probes and scrapes every few seconds would bury the requests people make.
EXCLUDED_URLS = "/health/live,/health/ready,/metrics"

_provider: TracerProvider | None = None
_exporting = False
_instrumented: set[str] = set()


class DropRootClientSpans(Sampler):
    """Root spans of kind CLIENT (a query or Redis command outside any request or task) are
    dropped; everything else is kept. Used as the root sampler of ParentBased, so a client
    span inside a trace follows its parent."""

    def should_sample(self, parent_context, trace_id, name, kind=None, attributes=None,
                      links=None, trace_state=None) -> SamplingResult:
        if kind == SpanKind.CLIENT:
            return SamplingResult(Decision.DROP)
        return ALWAYS_ON.should_sample(parent_context, trace_id, name, kind, attributes, links,
                                       trace_state)

    def get_description(self) -> str:
        return "DropRootClientSpans"


class ScrubbedExporter(SpanExporter):
    """Hands spans to `inner` with link tokens taken out of names, attributes and events."""

    def __init__(self, inner: SpanExporter):
        self.inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.inner.export([scrubbed(span) for span in spans])

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)


def scrubbed(span: ReadableSpan) -> ReadableSpan:
    return ReadableSpan(
        name=redact_link_tokens(span.name), context=span.context, parent=span.parent,
        resource=span.resource, attributes=_scrub_attributes(span.attributes),
        events=[Event(redact_link_tokens(e.name), _scrub_attributes(e.attributes), e.timestamp)
                for e in span.events],
        links=span.links, kind=span.kind, status=span.status, start_time=span.start_time,
        end_time=span.end_time, instrumentation_scope=span.instrumentation_scope)


def _scrub_attributes(attributes: Mapping | None) -> dict:
    def scrub(value):
        if isinstance(value, str):
            return redact_link_tokens(value)
        if isinstance(value, tuple | list):
            return tuple(scrub(item) for item in value)
        return value

    return {key: scrub(value) for key, value in (attributes or {}).items()}


def new_provider(service: str) -> TracerProvider:
    """A provider with our sampler and no exporter yet (export_to adds one)."""
    return TracerProvider(
        resource=Resource.create({"service.name": SERVICE_PREFIX + service}),
        sampler=ParentBased(root=DropRootClientSpans()))


def configure(service: str) -> TracerProvider:
    """This process's tracer provider (once; later calls return it), exporting over OTLP when
    configured. The request and task spans are always made (their trace ids reach the log
    lines, and the context crosses the outbox); FastAPI's and Celery's instrumentations need
    their app (instrument_api, instrument_celery_worker). A provider a test installed globally
    before is used as it is."""
    global _provider
    if _provider is None:
        current = trace.get_tracer_provider()
        if isinstance(current, TracerProvider):
            _provider = current
        else:
            _provider = new_provider(service)
            trace.set_tracer_provider(_provider)
        exporter = _otlp_exporter()
        if exporter is not None:
            export_to(exporter)
    return _provider


def export_to(exporter: SpanExporter, processor=BatchSpanProcessor) -> None:
    """Sends this process's spans, scrubbed, to `exporter`, and from now on also traces each
    query and Redis command: 40-odd microseconds a span, several a request, paid only when
    someone looks at them (engines built before this call stay as they are)."""
    global _exporting
    if _provider is None:
        raise RuntimeError("tracing.configure() first")
    _provider.add_span_processor(processor(ScrubbedExporter(exporter)))
    _exporting = True
    _instrument_once("redis", _instrument_redis)


def _otlp_exporter() -> SpanExporter | None:
    if not any(os.environ.get(name) for name in ENDPOINT_VARIABLES):
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()  # endpoint, headers and timeout from the OTEL_* variables


def _instrument_once(name: str, instrument) -> None:
    if name not in _instrumented:
        instrument()
        _instrumented.add(name)


def _instrument_redis() -> None:
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    RedisInstrumentor().instrument(tracer_provider=_provider)


def instrument_api(app) -> None:
    """The FastAPI app's server spans (the API's composition root, after configure)."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    # No span per ASGI receive and send message: two or three more spans a request, each a
    # cost on the hot path (POST /cases), saying nothing the server span does not.
    FastAPIInstrumentor.instrument_app(app, tracer_provider=_provider,
                                       excluded_urls=EXCLUDED_URLS,
                                       exclude_spans=["receive", "send"])


def instrument_celery_worker() -> None:
    """Task spans, children of the context in the message headers (each pool process, after
    fork: the Celery instrumentation's own advice)."""
    from opentelemetry.instrumentation.celery import CeleryInstrumentor

    _instrument_once("celery", lambda: CeleryInstrumentor().instrument(tracer_provider=_provider))


def instrument_engine(engine) -> None:
    """Query spans for one SQLAlchemy engine (shared/db.py, as each engine is built), when
    spans are exported (export_to); nothing otherwise, nor in the CLI and migrations."""
    if _provider is None or not _exporting:
        return
    from opentelemetry.instrumentation.sqlalchemy import EngineTracer
    from opentelemetry.metrics import get_meter

    connections = get_meter(TRACER_NAME).create_up_down_counter(
        "db.client.connections.usage", unit="connections")
    EngineTracer(_provider.get_tracer("opentelemetry.instrumentation.sqlalchemy"),
                 getattr(engine, "sync_engine", engine), connections)


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER_NAME)


def outbox_headers() -> dict[str, str]:
    """The current trace context as W3C headers, stored with an outbox row (empty outside a
    trace)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextmanager
def publishing(headers: Mapping[str, str] | None, task_name: str, queue: str
               ) -> Iterator[dict[str, str]]:
    """The relay's span for publishing one outbox row, a child of the trace the row was written
    in; yields the headers to send with the Celery message (this span's context)."""
    parent = propagate.extract(dict(headers or {}))
    with tracer().start_as_current_span(f"outbox publish {task_name}", context=parent,
                                        kind=SpanKind.PRODUCER,
                                        attributes={"messaging.system": "celery",
                                                    "messaging.destination.name": queue,
                                                    "celery.task_name": task_name}):
        yield outbox_headers()


@contextmanager
def span(name: str, **attributes) -> Iterator[trace.Span]:
    """A span of our own inside the current trace (a delivery)."""
    with tracer().start_as_current_span(name, attributes=attributes) as current:
        yield current
