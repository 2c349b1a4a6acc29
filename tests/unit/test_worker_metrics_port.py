"""A relay or worker pod's own metrics port asks for the metrics token like the API's /metrics,
and shows this process's metrics."""

from __future__ import annotations

import httpx
import pytest

from shared.observability import metrics, worker_metrics
from shared.observability.metrics import OUTBOX_PUBLISHED


@pytest.fixture
def server():
    running = worker_metrics.serve(0, "port-token", host="127.0.0.1")
    yield f"http://127.0.0.1:{running.server_port}"
    running.shutdown()
    running.server_close()


def test_the_metrics_port_refuses_a_scrape_without_the_token(server):
    assert httpx.get(f"{server}/metrics").status_code == 401
    wrong = httpx.get(f"{server}/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"].startswith("Bearer")
    assert httpx.get(f"{server}/other").status_code == 404


def test_the_metrics_port_shows_the_process_metrics_to_the_token_holder(server):
    OUTBOX_PUBLISHED.labels("triage").inc()
    answer = httpx.get(f"{server}/metrics", headers={"Authorization": "Bearer port-token"})
    assert answer.status_code == 200
    assert 'clinic_outbox_published_total{queue="triage"}' in answer.text


def test_no_token_configured_refuses_everyone():
    assert not metrics.scraper_allowed("Bearer ", None)
    assert not metrics.scraper_allowed("Bearer x", "")
    assert metrics.scraper_allowed("Bearer x", "x")
