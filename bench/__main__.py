"""`clinic bench` (or `python -m bench`): how fast and how far one machine goes, each figure
beside its baseline. The harness is this package (README, "Benchmarks"); this module parses the
options. clinic_cli runs it as a program: bench builds on clinic_cli's process machinery, never
the other way round (pyproject.toml's import contracts)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import typer

from clinic_cli.processes import REPO_ROOT

app = typer.Typer(help="Benchmarks: figures beside baselines measured in the same run")
RESULTS_DIR = REPO_ROOT / "bench" / "results"


@app.callback(invoke_without_command=True)
def run(
    ctx: typer.Context,
    stored_cases: str = typer.Option(
        "10000,100000", help="Stored-case counts to seed and measure at, comma-separated."),
    million: bool = typer.Option(
        False, "--million", help="Also measure at 1,000,000 stored cases (seeding takes ~10 min)."),
    workers: str = typer.Option("1,2,4", help="API / triage worker process counts."),
    quick: bool = typer.Option(False, help="Tiny sizes: checks the harness, not the product."),
    results_dir: str = typer.Option(str(RESULTS_DIR), help="Where the JSON, PNG and log go."),
    profile: bool = typer.Option(
        False, help="Record a py-spy flame graph of every process measured, into "
                    "<results-dir>/profile-<time>/ (the figures of such a run are slower)."),
) -> None:
    """Start the system on DATABASE_URL / REDIS_URL (else embedded servers in a temporary
    directory), measure, print the table, write JSON and PNG to bench/results/."""
    if ctx.invoked_subcommand:
        return
    from bench.context import Sizes
    from bench.run import run_bench

    sizes = Sizes.quick() if quick else Sizes()
    if not quick:
        counts = tuple(int(n) for n in stored_cases.split(",") if n)
        sizes = replace(sizes, stored_cases=counts + ((1_000_000,) if million else ()),
                        workers=tuple(int(n) for n in workers.split(",") if n))
    run_bench(sizes, Path(results_dir), say=typer.echo, profile=profile)


@app.command("seed")
def seed(
    cases: int = typer.Option(..., help="How many stored cases to add."),
    database_url: str = typer.Option(
        ..., envvar="BENCH_DATABASE_URL",
        help="A migrated database kept for benchmarks (never the clinic's own)."),
    first: int = typer.Option(0, help="Number of the first case (to add to an earlier seed)."),
) -> None:
    """Add N generated cases (with decisions, queue entries, follow-ups, outbox and audit
    rows) to a benchmark database, straight through SQL."""
    from bench.seed import seed_cases

    seconds = seed_cases(database_url, first, first + cases)
    typer.echo(f"seeded {cases:,} cases in {seconds:.1f} s")


if __name__ == "__main__":
    app(prog_name="clinic bench")
