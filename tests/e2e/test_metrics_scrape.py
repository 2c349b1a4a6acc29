"""After a story through the real processes, /metrics (one API process adding up every
process's files, as under `clinic run`) counts exactly what happened: the requests, the
routing latency, the tasks each worker ran, the queues, the reminder, the outbox drained."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import METRICS_TOKEN
from tests.e2e.system import RunningSystem
from tests.fixtures.smtp import SmtpSink
from tests.integration.auth_helpers import staff_headers
from tests.integration.helpers import patient_payload, twisted_ankle_history

pytestmark = pytest.mark.e2e


def scrape(api: httpx.Client) -> dict[tuple[str, frozenset], float]:
    answer = api.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert answer.status_code == 200, answer.text
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(answer.text)
            for sample in family.samples}


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def total(samples: dict, name: str, **labels: str) -> float:
    """Summed over the labels not given."""
    return sum(v for (n, found), v in samples.items()
               if n == name and set(labels.items()) <= found)


def test_metrics_after_two_forms_are_routed_and_a_reminder_is_sent(
    system: RunningSystem, smtp_sink: SmtpSink, engine
):
    api = system.api
    assert api.get("/metrics").status_code == 401
    assert api.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401

    desk = staff_headers(api, engine, "front_desk")
    clinician = staff_headers(api, engine, "clinician")
    patient = api.post("/patients", json=patient_payload(given_name="Metric"),
                       headers=desk).json()["patient"]
    cases = [api.post("/cases", json={"patient_id": patient["id"],
                                      "history": twisted_ankle_history()}, headers=desk)
             for _ in range(2)]
    assert [c.status_code for c in cases] == [201, 201]
    decided = [system.wait_for(lambda c=c: api.get(f"/cases/{c.json()['id']}",
                                                   headers=clinician).json()["queue_entry"],
                               20, "routing") for c in cases]
    queue, urgency = decided[0]["queue"], decided[0]["urgency"]

    def settled() -> dict | None:
        samples = scrape(api)
        done = value(samples, "clinic_celery_tasks_total", task="notify.cases.routed",
                     outcome="success") >= 2
        return samples if done and value(samples, "clinic_outbox_backlog_messages") == 0 \
            else None

    samples = system.wait_for(settled, 20, "both 'case routed' tasks and an empty outbox")

    assert value(samples, "clinic_http_requests_total", method="POST", route="/cases",
                 status="201") == 2
    assert value(samples, "clinic_http_request_duration_seconds_count", method="POST",
                 route="/cases") == 2
    assert value(samples, "clinic_http_requests_total", method="GET", route="/cases/{case_id}",
                 status="200") >= 2  # by template: the ids never become labels
    assert value(samples, "clinic_submit_to_routed_seconds_count") == 2
    assert 0 < value(samples, "clinic_submit_to_routed_seconds_sum") < 2 * 20
    assert value(samples, "clinic_celery_tasks_total", task="triage.cases.evaluate",
                 outcome="success") == 2
    assert value(samples, "clinic_celery_task_duration_seconds_count",
                 task="triage.cases.evaluate", outcome="success") == 2
    assert value(samples, "clinic_outbox_published_total", queue="triage") == 2
    assert value(samples, "clinic_outbox_published_total", queue="notify") == 2
    assert value(samples, "clinic_cases", state="routed") == 2
    assert value(samples, "clinic_cases", state="awaiting_triage") == 0
    assert value(samples, "clinic_queue_depth", queue=queue, urgency=urgency) == \
        sum(1 for d in decided if (d["queue"], d["urgency"]) == (queue, urgency))
    assert total(samples, "clinic_queue_depth") == 2
    assert total(samples, "clinic_queue_breaches") == 0  # nobody waited past a target
    assert 0 <= value(samples, "clinic_queue_oldest_wait_seconds", queue=queue,
                      urgency=urgency) < 60
    assert value(samples, "clinic_outbox_oldest_unpublished_age_seconds") == 0
    assert value(samples, "clinic_live_processes", kind="triage") >= 1
    assert value(samples, "clinic_database_metrics_up") == 1
    assert total(samples, "clinic_dead_letters") == 0
    assert total(samples, "clinic_reminders_sent_total") == 0

    # The notify worker a month on: each case's first reminder goes out by email.
    system.stop("notify")
    system.start("notify", CLINIC_CLOCK_OFFSET_SECONDS=str(30 * 86400))
    system.wait_for(lambda: len(smtp_sink.to(patient["email"])) >= 2, 30, "the reminders")

    def reminders_counted() -> dict | None:
        # A reminder is counted when sent, its dispatch task when the task has finished (after
        # its staff alerts): a moment later, so both are waited for.
        samples = scrape(api)
        done = value(samples, "clinic_reminders_sent_total", channel="email") >= 2 and value(
            samples, "clinic_celery_tasks_total", task="notify.followups.dispatch_due",
            outcome="success") >= 1
        return samples if done else None

    samples = system.wait_for(reminders_counted, 10, "the reminders and their dispatch counted")
    assert value(samples, "clinic_reminders_failed_total", channel="email") == 0
    # The first notify process's tasks still count after it stopped (its files stay).
    assert value(samples, "clinic_celery_tasks_total", task="notify.cases.routed",
                 outcome="success") == 2
