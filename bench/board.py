"""Queue board server time with 100 cases per queue: the product's queue listing beside the
same two queries returned as bare JSON (bench/baseline_app.py).

The HTML board (services/intake/pages, GET /staff/board: every column's open cases, audited)
is measured when the running API serves it, beside the board's own queries as bare JSON; until
then the JSON listing GET /queues/{queue}/cases?limit=100 (signed in as a clinician, every row
audited) is measured beside its two queries as bare JSON. Requests are sequential, so the latency is the server's time
plus one loopback round trip, the same for both."""

from __future__ import annotations

import httpx

from bench.context import Context
from bench.drive import loadgen
from bench.fixtures import bearer
from bench.system import baseline_app_spec, ports, product_spec, running, wait_http

QUEUE = "physio"
BOARD_ROUTE = "/staff/board"


def measure(ctx: Context) -> dict:
    product_port, baseline_port = ports(2)
    product, baseline = f"http://127.0.0.1:{product_port}", f"http://127.0.0.1:{baseline_port}"
    specs = [product_spec(ctx.env, "api", port=product_port),
             baseline_app_spec(ctx.env, baseline_port)]
    with running(specs, ctx.log) as supervisor:
        wait_http(f"{product}/health/ready", supervisor)
        wait_http(f"{baseline}/docs", supervisor)
        route = _product_route(product, ctx.clinician_token)
        bare = "/board" if route == BOARD_ROUTE else route
        results: dict[str, list[dict]] = {"product": [], "baseline": []}
        for _ in range(ctx.sizes.rounds):
            results["product"].append(loadgen(_spec(ctx, product + route, bearer(
                ctx.clinician_token)), ctx.env))
            results["baseline"].append(loadgen(_spec(ctx, baseline + bare, {}), ctx.env))
    best = {side: min(rounds, key=lambda r: r["p50_ms"]) for side, rounds in results.items()}
    return {"route": route, **best,
            "ratio": best["product"]["p50_ms"] / best["baseline"]["p50_ms"]}


def _product_route(api: str, token: str) -> str:
    """The HTML board when the API serves it, else the JSON listing."""
    response = httpx.get(api + BOARD_ROUTE, headers=bearer(token), timeout=30)
    if response.status_code == 200 and "text/html" in response.headers.get("content-type", ""):
        return BOARD_ROUTE
    return f"/queues/{QUEUE}/cases?limit=100"


def _spec(ctx: Context, url: str, headers: dict[str, str]) -> dict:
    return {"mode": "closed", "method": "GET", "url": url, "headers": headers,
            "concurrency": 1, "requests": ctx.sizes.board_requests, "seconds": 30,
            "warmup": min(20, ctx.sizes.board_requests)}
