"""The whole path with the real processes: intake API, outbox relay, triage worker, notify
worker and scheduler, over real PostgreSQL and Redis, with a real SMTP server at the end."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from clinic_cli.processes import ProcessSpec, system_processes
from tests.fixtures.smtp import SmtpSink, free_port
from tests.integration.helpers import patient_payload, twisted_ankle_history

pytestmark = pytest.mark.e2e


class RunningSystem:
    def __init__(self, specs: list[ProcessSpec], log_dir: Path):
        self.specs = {spec.name: spec for spec in specs}
        self.log_dir = log_dir
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, **extra_env: str) -> None:
        spec = self.specs[name]
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(
            spec.argv, env={**spec.env, **extra_env}, cwd=spec.cwd, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self, name: str) -> None:
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in self.log_dir.iterdir())


def wait_for(condition: Callable[[], object], timeout: float, what: str, system: RunningSystem):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{system.logs()}")


@pytest.fixture
def system(database_url, redis_url, tmp_path, smtp_sink: SmtpSink) -> Iterator[RunningSystem]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
           "CLINIC_DATA_DIR": str(tmp_path / "data"), "CLINIC_ENV": "test",
           "CLINIC_SECRET_KEY": "e2e-secret-key", "SMTP_HOST": smtp_sink.host,
           "SMTP_PORT": str(smtp_sink.port), "CLINIC_DISPATCH_INTERVAL_SECONDS": "0.5",
           "CLINIC_OUTBOX_POLL_SECONDS": "0.2"}
    (tmp_path / "logs").mkdir()
    (tmp_path / "data").mkdir()
    running = RunningSystem(system_processes(env, api_port=port), tmp_path / "logs")
    running.api = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
    for name in ("api", "relay", "triage", "notify", "scheduler"):
        running.start(name)
    try:
        wait_for(lambda: _ready(running.api), 30, "the API to be ready", running)
        yield running
    finally:
        running.api.close()
        running.stop_all()


def _ready(api: httpx.Client) -> bool:
    try:
        return api.get("/health/ready").status_code == 200
    except httpx.TransportError:
        return False


def test_a_submitted_form_is_routed_followed_up_and_the_reminder_arrives_by_email(
    system: RunningSystem, smtp_sink: SmtpSink
):
    api = system.api
    patient = api.post("/patients", json=patient_payload(given_name="Lucia")).json()["patient"]
    case = api.post("/cases", json={"patient_id": patient["id"],
                                    "history": twisted_ankle_history()}).json()

    routed = wait_for(lambda: _decided(api, case["id"]), 15, "the case to be routed", system)
    assert routed["queue_entry"]["queue"] == routed["decision"]["queue"]
    queue = api.get(f"/queues/{routed['decision']['queue']}/cases").json()
    assert case["id"] in [item["case_id"] for item in queue["items"]]

    # The first check-in is due in days, so with the real clock nothing is sent yet.
    time.sleep(2)
    assert smtp_sink.to(patient["email"]) == []

    # Advance the notify worker's clock past the first due date through configuration.
    first_due_days = min(s["after_days"] for s in routed["decision"]["outcome"]["follow_up_plan"])
    system.stop("notify")
    system.start("notify", CLINIC_CLOCK_OFFSET_SECONDS=str((first_due_days + 1) * 86400))
    [mail] = wait_for(lambda: smtp_sink.to(patient["email"]), 30, "the reminder email", system)
    body = mail.get_payload(decode=True).decode()
    assert "Lucia" in body and "/check-in" in body


def _decided(api: httpx.Client, case_id: str) -> dict | None:
    detail = api.get(f"/cases/{case_id}").json()
    return detail if detail["decision"] and detail["queue_entry"] else None
