"""Which PostgreSQL and Redis the tests use, and starting them.

For each server, in order: the URL in TEST_DATABASE_URL / TEST_REDIS_URL; else a testcontainers
container when a Docker engine answers; else the embedded server from clinic_cli.embedded.
`choose_source` makes that decision and nothing else, so it is tested without any server.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Literal

ServerKind = Literal["postgres", "redis"]

URL_VARIABLES: dict[ServerKind, str] = {
    "postgres": "TEST_DATABASE_URL",
    "redis": "TEST_REDIS_URL",
}
POSTGRES_IMAGE = "postgres:15"
REDIS_IMAGE = "redis:7"


class Source(Enum):
    ENVIRONMENT = "environment"
    TESTCONTAINERS = "testcontainers"
    EMBEDDED = "embedded"


@dataclass(frozen=True)
class Choice:
    source: Source
    url: str | None = None  # only for Source.ENVIRONMENT


def choose_source(
    kind: ServerKind, environ: Mapping[str, str], docker_answers: Callable[[], bool]
) -> Choice:
    """Decides where `kind` comes from; asks Docker only when the environment names no URL."""
    url = environ.get(URL_VARIABLES[kind], "").strip()
    if url:
        return Choice(Source.ENVIRONMENT, url)
    if docker_answers():
        return Choice(Source.TESTCONTAINERS)
    return Choice(Source.EMBEDDED)


@cache
def docker_engine_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # noqa: BLE001 - any failure to reach an engine means "no Docker here"
        return False


@contextmanager
def running_postgres(choice: Choice) -> Iterator[str]:
    """Yields a URL of the maintenance database of a server where tests may CREATE DATABASE."""
    if choice.source is Source.ENVIRONMENT:
        yield choice.url
    elif choice.source is Source.TESTCONTAINERS:
        from testcontainers.community.postgres import PostgresContainer

        with PostgresContainer(POSTGRES_IMAGE, dbname="postgres", driver=None) as container:
            yield container.get_connection_url()
    else:
        from clinic_cli.embedded import start_postgres

        with _scratch_dir() as directory, start_postgres(directory / "pg") as server:
            yield server.url()


@contextmanager
def running_redis(choice: Choice) -> Iterator[str]:
    """Yields a base URL without a database number; tests choose theirs."""
    if choice.source is Source.ENVIRONMENT:
        yield choice.url
    elif choice.source is Source.TESTCONTAINERS:
        from testcontainers.community.redis import RedisContainer

        container = RedisContainer(REDIS_IMAGE).with_command("redis-server --appendonly yes")
        with container:
            host = container.get_container_host_ip()
            yield f"redis://{host}:{container.get_exposed_port(container.port)}"
    else:
        from clinic_cli.embedded import start_redis

        with _scratch_dir() as directory, start_redis(directory / "redis") as server:
            yield server.base_url


@contextmanager
def _scratch_dir() -> Iterator[Path]:
    # Short and under /tmp: PostgreSQL's socket path must stay under about 100 characters.
    directory = Path(tempfile.mkdtemp(prefix="clinic-test-", dir="/tmp"))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)
