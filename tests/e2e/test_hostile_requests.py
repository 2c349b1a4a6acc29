"""The real API process, started as `clinic run` starts it, under hostile requests: a 20 MB
body from nobody is refused at once without growing the process, and X-Forwarded-For moves
the address the sign-in limits count only when it comes from a configured proxy."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import redis

from clinic_cli.processes import system_processes
from services.intake.auth.rate_limit import Limits
from tests.e2e.system import RunningSystem
from tests.fixtures.smtp import free_port

pytestmark = pytest.mark.e2e

MB = 1_000_000
BODY = 20 * MB
PER_ADDRESS = Limits().per_address  # failed sign-ins one address may make before it waits


# A Redis database of these tests' own: the sign-in counts must not be flushed midway by
# another test run sharing the server (they flush database 1 before each test).
REDIS_DATABASE = 9


@pytest.fixture
def start_api(database_url, redis_server_url, tmp_path
              ) -> Iterator[Callable[..., RunningSystem]]:
    """Starts only the API process, with the argv and environment `clinic run` gives it."""
    started: list[RunningSystem] = []
    redis_url = f"{redis_server_url.rstrip('/')}/{REDIS_DATABASE}"

    def start(**extra_env: str) -> RunningSystem:
        redis.Redis.from_url(redis_url).flushdb()
        port = free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
               "CLINIC_DATA_DIR": str(tmp_path / "data"), "CLINIC_ENV": "test",
               "CLINIC_SECRET_KEY": "e2e-secret-key", **extra_env}
        logs = tmp_path / f"logs-{port}"
        logs.mkdir()
        api = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
        running = RunningSystem(system_processes(env, api_port=port), logs, api)
        started.append(running)
        running.start("api")
        running.wait_until_ready()
        return running

    yield start
    for running in started:
        running.api.close()
        running.stop_all()


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (the highest RSS since the process started), in KiB."""
    fields = dict(line.split(":", 1) for line in
                  Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {name: int(fields[name].split()[0]) for name in ("VmRSS", "VmHWM")}


def chunks(total: int, piece: int = 256 * 1024) -> Iterator[bytes]:
    """Sent without Content-Length (Transfer-Encoding: chunked)."""
    block = b"x" * piece
    for _ in range(total // piece):
        yield block


HUGE_POSTS = [  # (path, content type, chunked): before sign-in, signed-in only, a page
    ("/auth/sign-in", "application/json", False),
    ("/auth/sign-in", "application/json", True),
    ("/cases", "application/json", True),
    ("/sign-in", "application/x-www-form-urlencoded", False),
    ("/sign-in", "application/x-www-form-urlencoded", True),
]


def test_an_unauthenticated_20_mb_post_is_refused_within_a_second_and_the_api_does_not_grow(
        start_api):
    system = start_api()
    pid = system.processes["api"].pid
    for _ in range(3):  # warm the code paths a refusal takes, so the baseline holds them
        system.api.post("/auth/sign-in", content=b"{}" + b" " * 100_000,
                        headers={"Content-Type": "application/json"})
        system.api.post("/auth/sign-in", content=chunks(2 * 1024 * 1024, 64 * 1024),
                        headers={"Content-Type": "application/json"})
    before = memory_kib(pid)

    answers = []
    for path, content_type, is_chunked in HUGE_POSTS:
        started = time.monotonic()
        answer = system.api.post(path, content=chunks(BODY) if is_chunked else b"x" * BODY,
                                 headers={"Content-Type": content_type})
        answers.append((path, is_chunked, answer.status_code, time.monotonic() - started))
    after = memory_kib(pid)

    peak_growth_mb = (after["VmHWM"] - before["VmHWM"]) * 1024 / MB
    rss_growth_mb = (after["VmRSS"] - before["VmRSS"]) * 1024 / MB
    print(f"HOSTILE-FIGURES answers={answers} rss_growth_mb={rss_growth_mb:.1f} "
          f"peak_rss_growth_mb={peak_growth_mb:.1f}")
    assert [status for _, _, status, _ in answers] == [413] * len(HUGE_POSTS), answers
    assert max(seconds for *_, seconds in answers) < 1.0, answers
    assert peak_growth_mb < 20 and rss_growth_mb < 20


def _failed_sign_in(system: RunningSystem, forwarded_for: str) -> int:
    return system.api.post("/auth/sign-in", headers={"X-Forwarded-For": forwarded_for}, json={
        "email": f"nobody-{uuid.uuid4().hex[:8]}@example.com", "password": "wrong"}).status_code


def _rotating_addresses(count: int) -> list[str]:
    return [f"203.0.113.{n + 1}" for n in range(count)]  # one client each


def test_by_default_a_rotating_x_forwarded_for_does_not_escape_the_per_address_limit(
        start_api):
    system = start_api()
    addresses = _rotating_addresses(PER_ADDRESS + 1)

    statuses = [_failed_sign_in(system, forwarded) for forwarded in addresses]

    # Every attempt came from 127.0.0.1, whatever it claimed: the last one has to wait.
    assert statuses[:PER_ADDRESS] == [401] * PER_ADDRESS
    assert statuses[PER_ADDRESS] == 429, statuses


@pytest.mark.parametrize("trusted", ["10.0.0.0/8", "::1, 192.168.0.1"])
def test_forwarded_addresses_from_a_caller_that_is_not_a_configured_proxy_are_ignored(
        start_api, trusted):
    system = start_api(CLINIC_TRUSTED_PROXIES=trusted)

    statuses = [_failed_sign_in(system, forwarded)
                for forwarded in _rotating_addresses(PER_ADDRESS + 1)]

    assert statuses[PER_ADDRESS] == 429, statuses


def test_a_configured_proxy_is_believed_about_the_client_address(start_api):
    system = start_api(CLINIC_TRUSTED_PROXIES="127.0.0.1")

    rotating = [_failed_sign_in(system, forwarded)
                for forwarded in _rotating_addresses(PER_ADDRESS + 1)]
    one_address = [_failed_sign_in(system, "192.0.2.7") for _ in range(PER_ADDRESS + 1)]

    assert rotating == [401] * (PER_ADDRESS + 1)  # each a different client behind the proxy
    assert one_address[PER_ADDRESS] == 429         # the client behind the proxy is limited
    assert _failed_sign_in(system, "192.0.2.8") == 401  # and only that client
