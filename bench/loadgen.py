"""The load generator, run as its own process so it does not share an interpreter with what it
measures: `python -m bench.loadgen < spec.json`, one JSON result line on stdout.

Modes (spec["mode"]):
  closed  `concurrency` clients each send a request as soon as the last one answered, until
          `requests` are done or `seconds` pass (after `warmup` unrecorded requests).
  open    one request every 1/`rate` s for `seconds` (HTTP, or Celery with spec["celery"]);
          each answer's id is matched with the NOTIFY that says its result became visible.
  watch   prints "listening", then times `count` visibility notifications (a queue drained).
  enqueue sends `count` baseline tasks (to fill the baseline worker's queue).
Every loop is bounded in count and time.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from collections import Counter

import aiohttp
import asyncpg

from bench.stats import summary
from bench.tables import VISIBLE_CHANNEL

GRACE_SECONDS = 30.0  # longest wait for the last results to become visible


async def closed(spec: dict) -> dict:
    bodies = [b.encode() for b in spec.get("bodies") or [""]]
    method, url, headers = spec.get("method", "GET"), spec["url"], spec.get("headers", {})
    warmup, total, seconds = spec.get("warmup", 0), spec["requests"], spec["seconds"]
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    issued = 0
    connector = aiohttp.TCPConnector(limit=spec["concurrency"])
    async with aiohttp.ClientSession(connector=connector) as session:
        async def one(index: int) -> tuple[int, float]:
            start = time.perf_counter()
            async with session.request(method, url, data=bodies[index % len(bodies)] or None,
                                       headers=headers) as response:
                await response.read()
            return response.status, time.perf_counter() - start

        for index in range(warmup):
            await one(index)
        deadline = time.perf_counter() + seconds
        started = time.perf_counter()

        async def client() -> None:
            nonlocal issued
            while issued < total and time.perf_counter() < deadline:
                issued += 1
                status, latency = await one(issued)
                statuses[status] += 1
                latencies.append(latency)

        await asyncio.gather(*(client() for _ in range(spec["concurrency"])))
        elapsed = time.perf_counter() - started
    ok = sum(n for status, n in statuses.items() if status < 400)
    return {"rate": ok / elapsed, "seconds": elapsed, "statuses": dict(statuses),
            **summary(latencies)}


class Visibility:
    """Collects commit-time notifications: id -> wall-clock time it became visible."""

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}
        self.arrived = asyncio.Event()

    def __call__(self, _conn, _pid, _channel, payload: str) -> None:
        self.seen[payload.split(":", 1)[1]] = time.time()
        self.arrived.set()

    async def wait_for(self, ids: set[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not ids <= self.seen.keys() and time.monotonic() < deadline:
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                break


async def _listening(dsn: str, visibility: Visibility) -> asyncpg.Connection:
    conn = await asyncpg.connect(dsn)
    await conn.add_listener(VISIBLE_CHANNEL, visibility)
    return conn


async def open_loop(spec: dict) -> dict:
    visibility = Visibility()
    listener = await _listening(spec["dsn"], visibility)
    sent: dict[str, float] = {}
    statuses: Counter[int] = Counter()
    answered: list[float] = []  # how long the submission itself took (HTTP only)
    count = int(spec["rate"] * spec["seconds"])
    send = (_celery_sender(spec) if spec.get("celery")
            else await _http_sender(spec, statuses, answered))
    start = time.monotonic()
    tasks = []
    for index in range(count):
        await asyncio.sleep(max(0.0, start + index / spec["rate"] - time.monotonic()))
        tasks.append(asyncio.create_task(send(index, sent)))
    await asyncio.gather(*tasks)
    await visibility.wait_for(set(sent), GRACE_SECONDS)
    await listener.close()
    await getattr(send, "close", _nothing)()
    latencies = [visibility.seen[i] - t for i, t in sent.items() if i in visibility.seen]
    return {"sent": count, "answered": len(sent), "visible": len(latencies),
            "statuses": dict(statuses), **summary(latencies),
            **({"answer": summary(answered)} if answered else {})}


async def _nothing() -> None:
    return None


async def _http_sender(spec: dict, statuses: Counter[int], answered: list[float]):
    session = aiohttp.ClientSession()
    bodies = [b.encode() for b in spec["bodies"]]

    async def send(index: int, sent: dict[str, float]) -> None:
        at = time.time()
        async with session.post(spec["url"], data=bodies[index % len(bodies)],
                                headers=spec["headers"]) as response:
            statuses[response.status] += 1
            if response.status < 400:
                sent[(await response.json())["id"]] = at
                answered.append(time.time() - at)

    send.close = session.close
    return send


def _celery_sender(spec: dict):
    from bench.baseline_worker import TASK_NAME, app

    async def send(index: int, sent: dict[str, float]) -> None:
        row_id = str(uuid.uuid4())
        sent[row_id] = time.time()
        app.send_task(TASK_NAME, kwargs={"row_id": row_id})

    return send


async def watch(spec: dict) -> dict:
    visibility = Visibility()
    listener = await _listening(spec["dsn"], visibility)
    print("listening", flush=True)
    deadline = time.monotonic() + spec["seconds"]
    while len(visibility.seen) < spec["count"] and time.monotonic() < deadline:
        visibility.arrived.clear()
        try:
            await asyncio.wait_for(visibility.arrived.wait(), deadline - time.monotonic())
        except TimeoutError:
            break
    await listener.close()
    times = sorted(visibility.seen.values())
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    return {"count": len(times), "seconds": span,
            "rate": (len(times) - 1) / span if span else 0.0}


async def enqueue(spec: dict) -> dict:
    """Fills the baseline's queue before its worker starts."""
    from bench.baseline_worker import TASK_NAME, app

    with app.producer_or_acquire() as producer:
        for _ in range(spec["count"]):
            app.send_task(TASK_NAME, kwargs={"row_id": str(uuid.uuid4())}, producer=producer)
    return {"count": spec["count"]}


MODES = {"closed": closed, "open": open_loop, "watch": watch, "enqueue": enqueue}


def main() -> None:
    spec = json.loads(sys.stdin.read())
    result = asyncio.run(MODES[spec["mode"]](spec))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
