"""What every measurement shares: the servers, the environment of the processes, the log, the
signed-in staff, and the sizes chosen for this run."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from bench.servers import Servers
from bench.system import LogSink


@dataclass(frozen=True)
class Sizes:
    """Bounds of each measurement; `quick()` is the smoke test's."""

    stored_cases: tuple[int, ...] = (10_000, 100_000)
    workers: tuple[int, ...] = (1, 2, 4)
    concurrency: int = 32
    intake_seconds: float = 3.0
    intake_requests: int = 40_000
    rounds: int = 2
    warmup: int = 50
    steady_rate: float = 50.0
    steady_seconds: float = 6.0
    drain_cases: int = 1_500  # as many as the baseline's tasks: the same warm-up share
    drain_tasks: int = 1_500
    reminders: int = 500
    board_requests: int = 30
    engine_cases: int = 3_000
    engine_repeat: int = 5

    @classmethod
    def quick(cls) -> Sizes:
        return cls(stored_cases=(300,), workers=(1,), concurrency=4, intake_seconds=0.5,
                   intake_requests=100, rounds=1, warmup=5, steady_rate=20, steady_seconds=1,
                   drain_cases=20, drain_tasks=40, reminders=10, board_requests=5,
                   engine_cases=50, engine_repeat=1)


@dataclass
class Context:
    servers: Servers
    log: LogSink
    sizes: Sizes
    env: dict[str, str] = field(default_factory=dict)
    desk_token: str = ""
    clinician_token: str = ""
    bodies: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, servers: Servers, log: LogSink, sizes: Sizes) -> Context:
        env = {**os.environ, "DATABASE_URL": servers.database_url, "REDIS_URL": servers.redis_url,
               "CLINIC_DATA_DIR": str(servers.data_dir), "CLINIC_ENV": "local",
               "CLINIC_SECRET_KEY": secrets.token_urlsafe(32),
               # Reminders go out at any hour during the bench.
               "CLINIC_QUIET_HOURS_START": "00:00", "CLINIC_QUIET_HOURS_END": "00:00",
               "CLINIC_MAIL_DIR": str(Path(servers.data_dir) / "mail")}
        return cls(servers=servers, log=log, sizes=sizes, env=env)
