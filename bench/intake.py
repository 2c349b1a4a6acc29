"""Intake submissions per second at N concurrent clients: the product's POST /cases (validated,
stored, outbox row, audited) beside a bare FastAPI + asyncpg insert of the same body.

Both servers run at once with the same worker count; rounds alternate between them so a burst
of load from elsewhere on the machine does not land on one side only."""

from __future__ import annotations

from bench.context import Context
from bench.drive import loadgen
from bench.fixtures import bearer, intake_bodies, patients, staff_token
from bench.stats import median_of
from bench.system import baseline_app_spec, ports, product_spec, running, wait_http
from shared.settings import Settings

PATIENTS = 64
DEFAULT_POOL_SIZE = Settings.model_fields["db_pool_size"].default


def prepare(ctx: Context) -> None:
    """Staff accounts, tokens and patients, made through a briefly started API."""
    (port,) = ports(1)
    api = f"http://127.0.0.1:{port}"
    with running([product_spec(ctx.env, "api", port=port)], ctx.log) as supervisor:
        wait_http(f"{api}/health/ready", supervisor)
        ctx.desk_token = staff_token(ctx.servers.database_url, api, "front_desk")
        ctx.clinician_token = staff_token(ctx.servers.database_url, api, "clinician")
        ctx.bodies = intake_bodies(patients(api, ctx.desk_token, PATIENTS))


def measure(ctx: Context, workers: int = 1) -> dict:
    product_port, baseline_port = ports(2)
    # As a deployment of N processes would: share one pool's worth of connections, so both
    # servers together stay inside PostgreSQL's default 100 (4 x 20 did not, beside others).
    env = {**ctx.env, "CLINIC_DB_POOL_SIZE": str(max(4, DEFAULT_POOL_SIZE // workers))}
    specs = [product_spec(env, "api", workers=workers, port=product_port),
             baseline_app_spec(ctx.env, baseline_port, workers=workers)]
    targets = {
        "product": (f"http://127.0.0.1:{product_port}/cases", bearer(ctx.desk_token)),
        "baseline": (f"http://127.0.0.1:{baseline_port}/intake",
                     {"Content-Type": "application/json"}),
    }
    rounds: dict[str, list[dict]] = {"product": [], "baseline": []}
    with running(specs, ctx.log) as supervisor:
        wait_http(f"http://127.0.0.1:{product_port}/health/ready", supervisor)
        wait_http(f"http://127.0.0.1:{baseline_port}/docs", supervisor)
        for _ in range(ctx.sizes.rounds):
            for side, (url, headers) in targets.items():
                rounds[side].append(loadgen(_spec(ctx, url, headers), ctx.env))
    result = {side: _median(results) for side, results in rounds.items()}
    result["ratio"] = result["product"]["rate"] / result["baseline"]["rate"]
    result["workers"] = workers
    return result


def _spec(ctx: Context, url: str, headers: dict[str, str]) -> dict:
    s = ctx.sizes
    return {"mode": "closed", "method": "POST", "url": url, "headers": headers,
            "bodies": ctx.bodies, "concurrency": s.concurrency, "requests": s.intake_requests,
            "seconds": s.intake_seconds, "warmup": s.warmup}


def _median(results: list[dict]) -> dict:
    """Each figure's median over the rounds; non-2xx answers are summed so none go unseen."""
    return {**median_of(results),
            "errors": sum(n for r in results for status, n in r["statuses"].items()
                          if int(status) >= 400)}
