"""Readiness tells the truth: 503 when Redis or PostgreSQL does not answer (here nothing
listens where the settings point), liveness stays 200 without asking either, and the
background processes' heartbeats are listed, a frozen one as stale."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import redis
from fastapi.testclient import TestClient

from services.intake.app import create_app
from shared import heartbeats
from tests.fixtures.smtp import free_port

pytestmark = pytest.mark.integration


@pytest.fixture
def own_redis_url(redis_url):
    """A Redis database of these tests' own: a test session running beside this one flushes
    the shared one, which would wipe a beat mid-test."""
    url = redis_url.rsplit("/", 1)[0] + "/13"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url

BEATING = """
import sys, time
from shared import heartbeats
heartbeats.start("triage", sys.argv[1])
print("beating", flush=True)
time.sleep(120)
"""


def nowhere() -> str:
    return f"127.0.0.1:{free_port()}"  # a port nothing listens on: connections are refused


def test_redis_not_answering_makes_the_api_unready_but_still_live(settings, clean_database):
    away = settings.model_copy(update={"redis_url": f"redis://{nowhere()}/0"})
    with TestClient(create_app(away)) as client:
        ready = client.get("/health/ready")
        live = client.get("/health/live")

    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "database": "ok",
                            "redis": "ConnectionError", "processes": "unknown"}
    assert live.status_code == 200


def test_postgres_not_answering_makes_the_api_unready_but_still_live(settings):
    user = settings.database_url.split("://", 1)[1].split("@", 1)[0]
    away = settings.model_copy(update={
        "database_url": f"postgresql://{user}@{nowhere()}/clinic"})
    with TestClient(create_app(away)) as client:
        ready = client.get("/health/ready")
        live = client.get("/health/live")

    assert ready.status_code == 503
    assert ready.json()["database"] != "ok" and ready.json()["redis"] == "ok"
    assert live.status_code == 200


def test_a_frozen_worker_is_listed_as_stale_and_the_api_stays_ready(settings, clean_database,
                                                                    own_redis_url):
    own = settings.model_copy(update={"redis_url": own_redis_url})
    worker = subprocess.Popen([sys.executable, "-c", BEATING, own_redis_url],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert worker.stdout.readline().strip() == "beating"
        with TestClient(create_app(own)) as client:
            alive = _wait_for(client, lambda p: worker.pid in p["triage"]["alive"])
            os.kill(worker.pid, signal.SIGSTOP)
            stale = _wait_for(client, lambda p: worker.pid in p["triage"]["stale"], timeout=(
                heartbeats.INTERVAL_SECONDS * heartbeats.STALE_AFTER_BEATS + 10))
    finally:
        os.kill(worker.pid, signal.SIGCONT)
        worker.kill()
        worker.wait()

    assert alive.status_code == 200 and stale.status_code == 200
    assert stale.json()["processes"]["triage"] == {"alive": [], "stale": [worker.pid]}


def _wait_for(client, condition, timeout: float = 10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = client.get("/health/ready")
        if condition(answer.json()["processes"]):
            return answer
        time.sleep(0.2)
    raise AssertionError(f"readiness never showed it: {answer.json()}")
