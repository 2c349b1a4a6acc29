"""Heartbeats: each background process says, every few seconds, that it is still running.

    heartbeats.start("relay", settings)          # a process's own beat (a daemon thread)
    heartbeats.install(app)                      # a Celery app: worker as its app's name, beat
                                                 # as "scheduler"
    HeartbeatReader(redis_url).stale("triage", pid)   # the supervisor: restart it?
    HeartbeatReader(redis_url).report()          # readiness: which are alive, which are stale

A beat is the Redis key `clinic:heartbeat:<kind>:<host>:<pid>` set with an expiry of
KEY_TTL_SECONDS (the host name too: in Kubernetes every container's first process is pid 1).
Its age is read from the key's remaining time to live, on Redis's own clock, so processes on
machines whose clocks differ agree. A process is stale when its last beat is older than
`stale_after_seconds` (STALE_AFTER_BEATS intervals); the key itself lives longer, so a frozen
(SIGSTOP) or wedged process is reported as stale for a while instead of silently vanishing. A
process that stops cleanly deletes its key.

The beat comes from a thread, so it stops when the whole process is frozen or dead, not when
one thread of it hangs (a hung task is the hard time limit's job, shared/messaging.py).
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import redis
from celery import Celery
from celery.signals import beat_init, worker_ready, worker_shutdown

log = logging.getLogger("heartbeats")

KINDS = ("triage", "notify", "relay", "scheduler")
PREFIX = "clinic:heartbeat:"
INTERVAL_SECONDS = 2.0
STALE_AFTER_BEATS = 5  # a few missed beats (a slow Redis, a GC pause) are not a hang
KEY_TTL_SECONDS = 600  # how long a stale process stays reported after its last beat


class HeartbeatsUnavailable(Exception):
    """Redis does not answer, so nobody can tell which processes are beating."""


def key(kind: str, pid: int, host: str | None = None) -> str:
    """The beat of process `pid` on `host` (this machine unless named)."""
    return f"{PREFIX}{kind}:{host or socket.gethostname()}:{pid}"


def _client(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1)


def beat(client: redis.Redis, kind: str, pid: int) -> None:
    client.set(key(kind, pid), pid, ex=KEY_TTL_SECONDS)


def age_from_ttl(ttl_ms: int) -> float | None:
    """Seconds since the last beat, from the key's remaining time to live (None: no beat)."""
    if ttl_ms < 0:  # -2: no such key; -1: a key without expiry is not one of ours
        return None
    return max(0.0, KEY_TTL_SECONDS - ttl_ms / 1000)


@dataclass(frozen=True)
class Beat:
    kind: str
    pid: int
    age_seconds: float


def parse(entries: Iterable[tuple[bytes | str, int]]) -> list[Beat]:
    beats = []
    for raw_key, ttl_ms in entries:
        name = raw_key.decode() if isinstance(raw_key, bytes) else raw_key
        kind, host, pid = (name.removeprefix(PREFIX).split(":", 2) + ["", ""])[:3]
        age = age_from_ttl(ttl_ms)
        if kind and host and pid.isdigit() and age is not None:
            beats.append(Beat(kind, int(pid), age))
    return beats


def summarise(beats: Iterable[Beat], stale_after: float) -> dict[str, dict[str, list[int]]]:
    """Per kind, the pids beating and the pids whose beat stopped (every kind listed; pods
    whose processes share a pid each count)."""
    summary: dict[str, dict[str, list[int]]] = {k: {"alive": [], "stale": []} for k in KINDS}
    for b in sorted(beats, key=lambda b: b.pid):
        entry = summary.setdefault(b.kind, {"alive": [], "stale": []})
        entry["stale" if b.age_seconds > stale_after else "alive"].append(b.pid)
    return summary


class HeartbeatReader:
    """What the supervisor and readiness ask. `stale()` and `alive()` answer False when Redis
    itself does not answer: a Redis outage is not a reason to restart every process."""

    def __init__(self, redis_url: str, interval: float = INTERVAL_SECONDS):
        self.client = _client(redis_url)
        self.stale_after = interval * STALE_AFTER_BEATS

    def close(self) -> None:
        self.client.close()

    def age(self, kind: str, pid: int) -> float | None:
        """Seconds since `kind` `pid` last beat; None when it never did (or long ago)."""
        try:
            return age_from_ttl(self.client.pttl(key(kind, pid)))
        except redis.RedisError as exc:
            raise HeartbeatsUnavailable(type(exc).__name__) from exc

    def stale(self, kind: str, pid: int) -> bool:
        """True when Redis answers and `pid` has not beaten for stale_after seconds, or never
        did (the caller allows a start-up grace: clinic_cli/supervisor.py)."""
        try:
            age = self.age(kind, pid)
        except HeartbeatsUnavailable:
            return False
        return age is None or age > self.stale_after

    def alive(self, kind: str, pid: int) -> bool:
        try:
            age = self.age(kind, pid)
        except HeartbeatsUnavailable:
            return False
        return age is not None and age <= self.stale_after

    def forget(self, kind: str, pid: int) -> None:
        """Drops a process's beat (the supervisor, after replacing a process it killed)."""
        try:
            self.client.delete(key(kind, pid))
        except redis.RedisError:
            pass  # it expires on its own

    def report(self) -> dict[str, dict[str, list[int]]]:
        try:
            keys = list(self.client.scan_iter(match=PREFIX + "*", count=100))
            with self.client.pipeline(transaction=False) as pipe:
                for k in keys:
                    pipe.pttl(k)
                ttls = pipe.execute()
        except redis.RedisError as exc:
            raise HeartbeatsUnavailable(type(exc).__name__) from exc
        return summarise(parse(zip(keys, ttls, strict=True)), self.stale_after)


def stale(kind: str, pid: int, redis_url: str) -> bool:
    reader = HeartbeatReader(redis_url)
    try:
        return reader.stale(kind, pid)
    finally:
        reader.close()


def alive(kind: str, pid: int, redis_url: str) -> bool:
    reader = HeartbeatReader(redis_url)
    try:
        return reader.alive(kind, pid)
    finally:
        reader.close()


async def report_async(client, stale_after: float = INTERVAL_SECONDS * STALE_AFTER_BEATS
                       ) -> dict[str, dict[str, list[int]]]:
    """report() on a redis.asyncio client (the API's); raises redis.RedisError."""
    keys = [k async for k in client.scan_iter(match=PREFIX + "*", count=100)]
    async with client.pipeline(transaction=False) as pipe:
        for k in keys:
            pipe.pttl(k)
        ttls = await pipe.execute()
    return summarise(parse(zip(keys, ttls, strict=True)), stale_after)


class Heartbeat:
    """A daemon thread beating for this process every `interval` seconds until stopped."""

    def __init__(self, kind: str, redis_url: str, interval: float = INTERVAL_SECONDS):
        self.kind, self.pid, self.interval = kind, os.getpid(), interval
        self.client = _client(redis_url)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{kind}", daemon=True)

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def _run(self) -> None:
        failing = False
        while True:
            try:
                beat(self.client, self.kind, self.pid)
                failing = False
            except redis.RedisError as exc:
                if not failing:  # once per outage, not every beat
                    log.warning("heartbeat of %s %d not sent (%s)", self.kind, self.pid,
                                type(exc).__name__)
                failing = True
            if self._stopped.wait(self.interval):
                return

    def stop(self) -> None:
        # A forked child (a Celery pool process) inherits this object but not the thread, and
        # must not delete its parent's beat.
        if self._stopped.is_set() or os.getpid() != self.pid:
            return
        self._stopped.set()
        self._thread.join(timeout=self.interval + 2)
        try:
            self.client.delete(key(self.kind, self.pid))
        except redis.RedisError:
            pass  # it expires on its own
        self.client.close()


def start(kind: str, redis_url: str, interval: float = INTERVAL_SECONDS) -> Heartbeat:
    heartbeat = Heartbeat(kind, redis_url, interval).start()
    atexit.register(heartbeat.stop)
    return heartbeat


def install(app: Celery) -> None:
    """Beats for a Celery worker of `app` (kind: the app's name, "triage" or "notify") from its
    main process once it is ready, and for `celery beat` on `app` (kind "scheduler")."""
    running: list[Heartbeat] = []

    def worker_started(sender=None, **_kwargs) -> None:
        if sender is not None and getattr(sender, "app", app) is not app:
            return
        running.append(start(app.main, app.conf.broker_url))

    def beat_started(sender=None, **_kwargs) -> None:
        if sender is not None and getattr(sender, "app", app) is not app:
            return
        running.append(start("scheduler", app.conf.broker_url))

    def stopping(**_kwargs) -> None:
        while running:
            running.pop().stop()

    worker_ready.connect(worker_started, weak=False)
    beat_init.connect(beat_started, weak=False)
    worker_shutdown.connect(stopping, weak=False)
