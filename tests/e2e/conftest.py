from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest

from clinic_cli.processes import system_processes
from tests.e2e.system import RunningSystem
from tests.fixtures.smtp import SmtpSink, free_port

SERVICES = ("api", "relay", "triage", "notify", "scheduler")


METRICS_TOKEN = "e2e-metrics-token"


@pytest.fixture
def log_format() -> str:
    """CLINIC_LOG_FORMAT of the processes; a test parametrizes it to see the JSON lines."""
    return "text"


@pytest.fixture
def system(database_url, redis_url, tmp_path, smtp_sink: SmtpSink,
           log_format: str) -> Iterator[RunningSystem]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
           "CLINIC_METRICS_TOKEN": METRICS_TOKEN, "CLINIC_LOG_FORMAT": log_format,
           "CLINIC_DATA_DIR": str(tmp_path / "data"), "CLINIC_ENV": "test",
           "CLINIC_SECRET_KEY": "e2e-secret-key", "SMTP_HOST": smtp_sink.host,
           "SMTP_PORT": str(smtp_sink.port), "CLINIC_DISPATCH_INTERVAL_SECONDS": "0.5",
           "CLINIC_OUTBOX_POLL_SECONDS": "0.2",
           # Equal start and end switch quiet hours off: the test must not depend on the hour.
           "CLINIC_QUIET_HOURS_START": "08:00", "CLINIC_QUIET_HOURS_END": "08:00"}
    for folder in ("logs", "data"):
        (tmp_path / folder).mkdir()
    api = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
    running = RunningSystem(system_processes(env, api_port=port), tmp_path / "logs", api)
    for name in SERVICES:
        running.start(name)
    try:
        running.wait_until_ready()
        yield running
    finally:
        api.close()
        running.stop_all()
