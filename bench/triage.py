"""Submit-to-routed latency at a steady rate, and the rate one triage worker process sustains,
beside a Celery task that inserts one row over the same Redis with the same settings.

Latency: from the moment the submission (or the baseline task) is sent to the moment the
queue entry (or the row) is committed, which a NOTIFY trigger reports (bench/tables.py). The
relay, notify worker and scheduler run as in `clinic run`; triage runs one process.
Sustained rate: the triage queue is filled first (the relay publishes every submission), then
a worker with N processes is started and the commits are timed from the first to the last.
Both figures are medians over `Sizes.rounds` rounds that alternate product and baseline."""

from __future__ import annotations

import time

import redis

from bench.context import Context
from bench.drive import Watch, loadgen
from bench.fixtures import bearer
from bench.servers import libpq_url
from bench.stats import median_of
from bench.system import (
    baseline_worker_spec,
    ports,
    product_spec,
    running,
    wait_http,
    wait_worker_ready,
)
from bench.tables import settle_backlog, watch_visibility

FILL_TIMEOUT_SECONDS = 120.0


def measure(ctx: Context) -> dict:
    (port,) = ports(1)
    api = f"http://127.0.0.1:{port}"
    settle_backlog(ctx.servers.database_url)
    watch_visibility(ctx.servers.database_url, on=True)
    try:
        with running([product_spec(ctx.env, "api", port=port),
                      product_spec(ctx.env, "relay")], ctx.log) as supervisor:
            wait_http(f"{api}/health/ready", supervisor)
            result = {"latency": _latency(ctx, api),
                      "drain": [_drain(ctx, api, n) for n in ctx.sizes.workers]}
    finally:
        watch_visibility(ctx.servers.database_url, on=False)
    return result


def _latency(ctx: Context, api: str) -> dict:
    """Both workers run throughout; the rounds alternate between them."""
    s = ctx.sizes
    steady = {"mode": "open", "rate": s.steady_rate, "seconds": s.steady_seconds,
              "dsn": libpq_url(ctx.servers.database_url)}
    specs = [*(product_spec(ctx.env, name, workers=1)
               for name in ("triage", "notify", "scheduler")), baseline_worker_spec(ctx.env, 1)]
    rounds: dict[str, list[dict]] = {"product": [], "baseline": []}
    with running(specs, ctx.log) as supervisor:
        wait_worker_ready(ctx.log, "triage", supervisor)
        wait_worker_ready(ctx.log, "bench", supervisor)
        for _ in range(s.rounds):
            rounds["product"].append(loadgen(
                {**steady, "url": f"{api}/cases", "headers": bearer(ctx.desk_token),
                 "bodies": ctx.bodies}, ctx.env))
            rounds["baseline"].append(loadgen({**steady, "celery": True}, ctx.env))
    product, baseline = median_of(rounds["product"]), median_of(rounds["baseline"])
    return {"product": product, "baseline": baseline,
            "ratio": product["p50_ms"] / baseline["p50_ms"] if baseline["p50_ms"] else 0.0}


def _drain(ctx: Context, api: str, workers: int) -> dict:
    """Each round fills and drains the product's queue, then the baseline's."""
    rounds: dict[str, list[dict]] = {"product": [], "baseline": []}
    broker = redis.Redis.from_url(ctx.servers.redis_url)
    try:
        for _ in range(ctx.sizes.rounds):
            cases = ctx.sizes.drain_cases
            _submit(ctx, api, cases)
            _wait_queued(broker, "triage", cases)
            rounds["product"].append(_timed_drain(
                ctx, product_spec(ctx.env, "triage", workers=workers), cases))
            tasks = ctx.sizes.drain_tasks
            _enqueue_baseline(ctx, tasks)
            _wait_queued(broker, "bench", tasks)
            rounds["baseline"].append(_timed_drain(
                ctx, baseline_worker_spec(ctx.env, workers), tasks))
    finally:
        broker.close()
    product, baseline = median_of(rounds["product"]), median_of(rounds["baseline"])
    return {"workers": workers, "product": product, "baseline": baseline,
            "ratio": product["rate"] / baseline["rate"] if baseline["rate"] else 0.0}


def _submit(ctx: Context, api: str, count: int) -> None:
    result = loadgen({"mode": "closed", "method": "POST", "url": f"{api}/cases",
                      "headers": bearer(ctx.desk_token), "bodies": ctx.bodies,
                      "concurrency": 8, "requests": count, "seconds": 120}, ctx.env)
    if result["statuses"].get("201", 0) != count:
        raise RuntimeError(f"filling the triage queue: {result['statuses']}")


def _enqueue_baseline(ctx: Context, count: int) -> None:
    loadgen({"mode": "enqueue", "count": count}, ctx.env)


def _wait_queued(broker: redis.Redis, queue: str, count: int) -> None:
    deadline = time.monotonic() + FILL_TIMEOUT_SECONDS
    while broker.llen(queue) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {broker.llen(queue)} of {count} messages reached {queue}")
        time.sleep(0.1)


def _timed_drain(ctx: Context, spec, count: int) -> dict:
    watch = Watch({"dsn": libpq_url(ctx.servers.database_url), "count": count,
                   "seconds": FILL_TIMEOUT_SECONDS}, ctx.env)
    try:
        with running([spec], ctx.log):
            return watch.result()
    finally:
        watch.stop()
