"""Readiness of the background processes: `python -m shared.health {triage,notify,relay,scheduler}`.

Exits 0 when the process's real dependencies answer, 1 (naming what failed) otherwise:
PostgreSQL and Redis for all of them, and for a worker also that one of its kind answers a
Celery `ping` (so a container whose worker is wedged is reported, not just one whose servers
are down).

Liveness of the relay and the scheduler in a container: `python -m shared.health relay --live`
exits 1 when the container's process (pid 1) stopped beating (shared/heartbeats.py), so the
kubelet restarts a hung or frozen one. Under `clinic run` the supervisor reads the same beats.
"""

from __future__ import annotations

import sys

import redis
from sqlalchemy import text

from shared import heartbeats
from shared.db import make_sync_engine
from shared.messaging import make_celery
from shared.settings import Settings, get_settings

WORKERS = ("triage", "notify")
COMPONENTS = (*WORKERS, "relay", "scheduler")
CONTAINER_PID = 1  # the container's command is the process itself (deploy/kubernetes)


def database_answers(settings: Settings) -> bool:
    engine = make_sync_engine(settings, pool_size=1, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return False
    finally:
        engine.dispose()


def redis_answers(url: str, timeout: float = 3) -> bool:
    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def worker_answers(settings: Settings, kind: str) -> bool:
    """A worker named `kind@host` (clinic_cli/processes.py names them so) answers ping."""
    app = make_celery(f"health-{kind}", settings)
    try:
        replies = app.control.ping(timeout=2.0)
    except Exception:  # noqa: BLE001
        return False
    finally:
        app.close()
    return any(name.startswith(f"{kind}@") for reply in replies for name in reply)


def failures(component: str, settings: Settings) -> list[str]:
    failed = [] if database_answers(settings) else ["postgresql"]
    if not redis_answers(settings.redis_url):
        failed.append("redis")
    if component in WORKERS and not failed and not worker_answers(settings, component):
        failed.append(f"{component} worker")
    return failed


def beating(component: str, settings: Settings) -> bool:
    """The container's process still beats. A Redis that does not answer counts as beating:
    restarting the process would not bring Redis back."""
    return not heartbeats.stale(component, CONTAINER_PID, settings.redis_url)


def main(argv: list[str]) -> int:
    live = argv[1:] == ["--live"]
    if not (len(argv) == 1 or live) or argv[0] not in COMPONENTS:
        print(f"usage: python -m shared.health {{{','.join(COMPONENTS)}}} [--live]",
              file=sys.stderr)
        return 2
    if live:
        beats = beating(argv[0], get_settings())
        print(f"{argv[0]}: " + ("beating" if beats else "no heartbeat: hung or frozen"))
        return 0 if beats else 1
    failed = failures(argv[0], get_settings())
    print(f"{argv[0]}: " + (f"not ready ({', '.join(failed)})" if failed else "ready"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
