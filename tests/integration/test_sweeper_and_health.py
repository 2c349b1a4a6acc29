"""The sweeper asks again for work whose effect never appeared; readiness commands check the
real dependencies."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
import redis
from sqlalchemy import text

from shared import heartbeats
from shared.clock import utcnow
from shared.db import sync_session
from shared.health import CONTAINER_PID
from shared.sweeper import sweep
from tests.integration.helpers import create_patient, submit_intake

pytestmark = pytest.mark.integration


def sweep_at(engine, settings, now):
    with sync_session(engine) as session, session.begin():
        return sweep(session, settings, now)


def stuck_case(client, engine) -> str:
    """A case whose triage request was published and then lost (say, with a Redis restart)."""
    case = submit_intake(client, create_patient(client)["id"])
    with engine.begin() as conn:
        conn.execute(text("UPDATE outbox_messages SET published_at = now() - interval '1 hour', "
                          "created_at = now() - interval '1 hour'"))
        conn.execute(text("UPDATE cases SET updated_at = now() - interval '1 hour'"))
    return case["id"]


def triage_requests(engine, case_id: str) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text(
            "SELECT payload->>'reason' FROM outbox_messages WHERE payload->>'case_id' = :c "
            "ORDER BY id"), {"c": case_id}).scalars())


def test_a_case_stuck_awaiting_triage_is_asked_for_again_once(client, engine, settings):
    case_id = stuck_case(client, engine)

    first = sweep_at(engine, settings, utcnow())
    second = sweep_at(engine, settings, utcnow())

    assert first.cases_republished == 1 and second.cases_republished == 0
    assert triage_requests(engine, case_id) == ["intake_submitted", "sweep"]


def test_a_recent_case_is_left_alone(client, engine, settings):
    case = submit_intake(client, create_patient(client)["id"])

    assert sweep_at(engine, settings, utcnow()).cases_republished == 0
    assert triage_requests(engine, case["id"]) == ["intake_submitted"]


def test_expired_idempotency_keys_are_deleted(client, engine, settings):
    client.post("/patients", headers={"Idempotency-Key": f"k-{uuid.uuid4()}"},
                json={"given_name": "Key", "family_name": uuid.uuid4().hex[:8],
                      "birth_date": "1990-01-01"})
    later = utcnow() + timedelta(hours=settings.idempotency_key_ttl_hours + 1)

    assert sweep_at(engine, settings, later).idempotency_keys_deleted >= 1


def health(component: str, *options: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "shared.health", component, *options],
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
                          check=False)


def test_the_relay_is_ready_when_postgres_and_redis_answer(settings):
    result = health("relay", DATABASE_URL=settings.database_url, REDIS_URL=settings.redis_url)
    assert (result.returncode, result.stdout.strip()) == (0, "relay: ready")


def test_readiness_names_the_dependency_that_does_not_answer(settings):
    result = health("relay", DATABASE_URL=settings.database_url,
                    REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode == 1 and "not ready (redis)" in result.stdout


def test_a_worker_is_not_ready_when_no_worker_answers_a_ping(settings):
    result = health("triage", DATABASE_URL=settings.database_url, REDIS_URL=settings.redis_url)
    assert result.returncode == 1 and "triage worker" in result.stdout


def container_beat(redis_url: str, kind: str, age_s: float) -> None:
    """The beat the container's process (pid 1) on this host left `age_s` seconds ago."""
    client = redis.Redis.from_url(redis_url)
    try:
        client.set(heartbeats.key(kind, CONTAINER_PID), CONTAINER_PID,
                   px=int((heartbeats.KEY_TTL_SECONDS - age_s) * 1000))
    finally:
        client.close()


@pytest.mark.parametrize("kind", ["relay", "scheduler"])
def test_liveness_fails_only_when_the_containers_process_stopped_beating(settings, kind):
    """The kubelet restarts a hung or frozen relay or scheduler (deploy/kubernetes): its
    liveness probe fails when the beat stopped, and only then."""
    env = {"DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url}
    container_beat(settings.redis_url, kind, age_s=1)
    assert health(kind, "--live", **env).returncode == 0

    container_beat(settings.redis_url, kind, age_s=heartbeats.INTERVAL_SECONDS
                   * heartbeats.STALE_AFTER_BEATS + 5)
    stopped = health(kind, "--live", **env)
    assert (stopped.returncode, stopped.stdout.strip()) == (
        1, f"{kind}: no heartbeat: hung or frozen")

    redis.Redis.from_url(settings.redis_url).delete(heartbeats.key(kind, CONTAINER_PID))
    assert health(kind, "--live", **env).returncode == 1  # never beat: the probe's delay is over


def test_liveness_holds_while_redis_does_not_answer(settings):
    """Restarting the process would not bring Redis back."""
    result = health("relay", "--live", DATABASE_URL=settings.database_url,
                    REDIS_URL="redis://127.0.0.1:1/0")
    assert (result.returncode, result.stdout.strip()) == (0, "relay: beating")
