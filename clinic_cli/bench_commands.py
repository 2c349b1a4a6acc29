"""`clinic bench`: runs the benchmark harness (bench/, README "Benchmarks") as a program, every
argument passed on. The harness builds on clinic_cli's process machinery, so clinic_cli never
imports it (pyproject.toml's import contracts)."""

from __future__ import annotations

import subprocess
import sys

import typer

from clinic_cli.processes import REPO_ROOT


def register(app: typer.Typer) -> None:
    app.command("bench", context_settings={"allow_extra_args": True,
                                           "ignore_unknown_options": True},
                add_help_option=False)(bench)


def bench(ctx: typer.Context) -> None:
    """Benchmarks: figures beside baselines measured in the same run (--help for options)."""
    raise typer.Exit(subprocess.call([sys.executable, "-m", "bench", *ctx.args], cwd=REPO_ROOT))
