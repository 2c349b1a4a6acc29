"""One bench run: servers up, every figure measured beside its baseline, report written.

    results = run_bench(Sizes(), results_dir)     # what `clinic bench` does

Order: the engine (no servers), intake and triage at each worker count on an empty database,
reminders, then the growth steps: seed up to each stored-case count, and measure intake, the
queue board and the hot queries' plans there."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from bench import board, engine, explain, intake, reminders, report, triage
from bench.context import Context, Sizes
from bench.profiler import PROFILE_DIR_VARIABLE
from bench.seed import seed_cases
from bench.servers import bench_servers
from bench.system import LogSink
from bench.tables import create_bench_tables, settle_backlog

Say = Callable[[str], None]


def _timed(say: Say, began: float) -> Say:
    return lambda message: say(f"{message} (at {time.monotonic() - began:.0f} s)")


def run_bench(sizes: Sizes, results_dir: Path, say: Say = print, profile: bool = False) -> dict:
    began = time.monotonic()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    results_dir.mkdir(parents=True, exist_ok=True)
    if profile:
        profile_dir = results_dir / f"profile-{stamp}"
        profile_dir.mkdir()
        os.environ[PROFILE_DIR_VARIABLE] = str(profile_dir)
        say(f"bench: flame graphs of every measured process go to {profile_dir}")
    log = LogSink(results_dir / f"bench-{stamp}.log")
    try:
        with bench_servers() as servers:
            say(f"bench: {servers.source} servers; process output in {log.file.name}")
            create_bench_tables(servers.database_url)
            ctx = Context.create(servers, log, sizes)
            results = _measure(ctx, say)
            results["meta"] = {"started": stamp, "servers": servers.source,
                               "cpus": os.cpu_count(), "sizes": asdict(sizes),
                               "seconds": time.monotonic() - began}
    finally:
        log.close()
    json_path, png_path = report.write(results, results_dir, stamp)
    say(report.text(results))
    say(f"\nresults: {json_path}\nchart:   {png_path}")
    return results


def _measure(ctx: Context, say: Say) -> dict:
    s = ctx.sizes
    began = time.monotonic()
    say = _timed(say, began)
    say("bench: rule engine")
    results: dict = {"engine": engine.measure(s.engine_cases, s.engine_repeat)}
    intake.prepare(ctx)
    results["intake"] = []
    for workers in s.workers:
        say(f"bench: intake, {workers} API process(es)")
        results["intake"].append(intake.measure(ctx, workers))
    say("bench: triage (steady-rate latency, then drain rate per pool size)")
    results["triage"] = triage.measure(ctx)
    say("bench: reminders")
    results["reminders"] = reminders.measure(ctx)
    results["growth"] = []
    seeded = 0
    for stored in sorted(s.stored_cases):
        say(f"bench: seeding up to {stored:,} stored cases")
        settle_backlog(ctx.servers.database_url)
        seconds = seed_cases(ctx.servers.database_url, seeded, stored)
        seeded = stored
        say(f"bench: {stored:,} stored cases: intake, queue board, query plans")
        results["growth"].append({
            "stored_cases": stored, "seed_seconds": seconds,
            "intake": intake.measure(ctx, 1), "board": board.measure(ctx),
            "plans": [p.as_dict() for p in explain.hot_query_plans(ctx.servers.database_url)]})
    return results
