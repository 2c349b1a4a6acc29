"""The Prometheus metrics the processes record, and how /metrics renders them.

Names follow Prometheus conventions: a `clinic_` prefix, the unit in the name (`_seconds`),
`_total` on counters. Labels take a few known values only (route templates, never paths; task
names; channels), so no label can carry an id or patient data.

Multiprocess mode: every process (each API process, the relay, each Celery pool process)
writes its samples to files in PROMETHEUS_MULTIPROC_DIR, and whoever renders /metrics adds
them up. `clinic run`, compose and the Kubernetes pods set the variable; `clinic run` gives
every process of the machine one folder, so the API's /metrics shows the workers' task metrics
too. prometheus_client chooses its storage when it is first imported, so the variable must be
in the environment before the process starts (it is: the launcher sets it).

The gauges that describe the system rather than one process (cases by state, queues, outbox,
dead letters, live workers) are read from PostgreSQL and Redis when /metrics is scraped
(database_metrics.py), so they are right whichever process answers.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterable
from datetime import datetime

# prometheus_client opens the files of a metric without labels as the metric is defined (at
# import, below), so the folder must exist by then; in a container it is an empty /tmp path.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# A Celery message header the relay adds: when the outbox row was written (ISO 8601). For a
# submitted form that is the submission's commit, so the triage worker times submit-to-routed
# from it without another query.
OUTBOX_CREATED_AT = "clinic_outbox_created_at"
CONTENT_TYPE = CONTENT_TYPE_LATEST

# Request latency: the API answers in milliseconds; a slow page or a PostgreSQL hiccup in
# hundreds. Task run time: triage runs in milliseconds, a dispatch up to its 120 s limit.
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
TASK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
# Submit to routed: a second is the target (README); a minute means the path is stalled.
ROUTED_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)

HTTP_REQUESTS = Counter(
    "clinic_http_requests_total", "HTTP requests answered, by route template and status.",
    ("method", "route", "status"))
HTTP_DURATION = Histogram(
    "clinic_http_request_duration_seconds", "Time to answer an HTTP request, by route template.",
    ("method", "route"), buckets=HTTP_BUCKETS)
SUBMIT_TO_ROUTED = Histogram(
    "clinic_submit_to_routed_seconds",
    "From a submitted pre-visit form (its outbox message written) to its first decision "
    "committed on a queue.", buckets=ROUTED_BUCKETS)
OUTBOX_PUBLISHED = Counter(
    "clinic_outbox_published_total", "Outbox messages the relay published, by queue.",
    ("queue",))
TASKS = Counter(
    "clinic_celery_tasks_total", "Celery tasks run, by task name and outcome "
    "(success, failure, retry).", ("task", "outcome"))
TASK_DURATION = Histogram(
    "clinic_celery_task_duration_seconds", "Celery task run time, by task name and outcome.",
    ("task", "outcome"), buckets=TASK_BUCKETS)
REMINDERS_SENT = Counter(
    "clinic_reminders_sent_total", "Reminder deliveries that reached the patient, by channel.",
    ("channel",))
REMINDERS_RETRIED = Counter(
    "clinic_reminders_retried_total",
    "Reminder deliveries that failed transiently and are tried again after the backoff.",
    ("channel",))
REMINDERS_FAILED = Counter(
    "clinic_reminders_failed_total",
    "Reminder deliveries refused for good, or failed with no attempt left.", ("channel",))
DEAD_LETTERED = Counter(
    "clinic_dead_letters_total", "Task messages given up on and written to dead_letters.",
    ("task",))


def scraper_allowed(authorization: str, token: str | None) -> bool:
    """Whether an Authorization header carries the metrics token (the API's /metrics and a
    worker's metrics port); with no token configured nobody is."""
    scheme, _, given = authorization.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode())


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_DIR_VARIABLE) or None


def registry(extra: Iterable[object] = ()) -> CollectorRegistry:
    """What a scrape shows: every process's files in multiprocess mode (else this process's
    own metrics), plus `extra` collectors (the database gauges)."""
    if multiprocess_dir() is not None:
        shown = CollectorRegistry()
        MultiProcessCollector(shown)
    else:
        shown = CollectorRegistry()
        shown.register(_ProcessMetrics())
    for collector in extra:
        shown.register(collector)
    return shown


def render(extra: Iterable[object] = ()) -> bytes:
    return generate_latest(registry(extra))


class _ProcessMetrics:
    """This process's metrics from the default registry (single-process mode: tests)."""

    def collect(self):
        return REGISTRY.collect()


def observe_submit_to_routed(written_at: str | None, now: datetime) -> None:
    """`written_at`: the message's OUTBOX_CREATED_AT header (absent from a message published
    before this header existed, which is then not timed)."""
    if written_at:
        SUBMIT_TO_ROUTED.observe(max(0.0, (now - datetime.fromisoformat(written_at))
                                     .total_seconds()))


def observe_reminder(outcome: str, deliveries: Iterable[tuple[str, str]]) -> None:
    """Counts one follow-up's delivery attempts, each `(channel, status)`, given what became of
    the follow-up (services/notify/service.Outcome: sent, retry, failed, deferred)."""
    for channel, status in deliveries:
        if status == "sent":
            REMINDERS_SENT.labels(channel).inc()
        elif status == "failed" and outcome == "retry":
            REMINDERS_RETRIED.labels(channel).inc()
        elif status in ("failed", "rejected"):
            REMINDERS_FAILED.labels(channel).inc()
