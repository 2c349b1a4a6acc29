"""`clinic rules replay --against <version, commit or file>`: what a candidate rule set would do
to the stored cases before it ships (services/triage/replay.py). Read-only, in bounded batches
with a progress bar; each batch is audited as a read of every case in it."""

from __future__ import annotations

import getpass
import json
from datetime import datetime
from typing import Annotated

import typer

from clinic_cli.database import command_database_url
from services.triage.replay import ReplayReport
from services.triage.replay_batches import count_stored, run_replay
from services.triage.replay_candidates import CandidateUnavailable, candidate_process
from shared.audit import Actor
from shared.db import make_sync_engine
from shared.settings import Settings


def replay(
    against: Annotated[str, typer.Option(help="The candidate: a released version (e.g. 1.3.0), "
                                              "a git commit, or a .py file defining VERSION and "
                                              "candidate_rules(rules).")],
    since: Annotated[datetime | None, typer.Option(help="Only decisions made from then on.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many decisions.")] = 10_000,
    batch_size: Annotated[int, typer.Option(min=1, max=5_000)] = 200,
    sample: Annotated[int, typer.Option(min=0, help="Moved cases to list.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Re-run a candidate rule set over the stored inputs of past engine decisions and report,
    per queue and urgency, which cases would move and how; lowered red-flag or Ottawa cases
    first."""
    actor = Actor(id=f"cli:{getpass.getuser()}", role="system")
    try:
        with command_database_url() as url, candidate_process(against) as candidate:
            engine = make_sync_engine(Settings(database_url=url))
            total = count_stored(engine, since, limit)
            with typer.progressbar(length=total, label="replaying", file=_progress_file(
                    as_json)) as bar:
                report = run_replay(engine, candidate, actor, since=since, limit=limit,
                                    batch_size=batch_size, sample_size=sample,
                                    progress=bar.update)
    except CandidateUnavailable as problem:
        typer.echo(str(problem), err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        print_report(report)


def _progress_file(as_json: bool):
    import sys

    return sys.stderr if as_json else sys.stdout


def print_report(report: ReplayReport) -> None:
    data = report.to_dict()
    typer.echo(f"in force:  {report.current.version}  sha256 {report.current.hash}")
    typer.echo(f"candidate: {report.candidate.version}  sha256 {report.candidate.hash}")
    typer.echo(f"{data['replayed']} decisions replayed, {data['moved']} would move"
               + (f", {data['failed']} unreadable by one of the rule sets" if data["failed"]
                  else ""))
    if report.safety_concerns:
        typer.secho(f"\n{len(report.safety_concerns)} case(s) with a red flag or an Ottawa "
                    "point would be LOWERED:", fg="red", bold=True)
        for move in report.safety_concerns:
            typer.secho(f"  case {move.case_id}: {move.current.label} -> "
                        f"{move.candidate.label} ({_rules(move)})", fg="red")
    typer.echo("\nper queue and urgency (in force): cases, unchanged, up, down, mixed, sideways")
    for row in data["by_route"]:
        typer.echo(f"  {row['queue']:10} {row['urgency']:9} {row['cases']:6} "
                   + " ".join(f"{row.get(k, 0):6}" for k in ("unchanged", "up", "down", "mixed",
                                                             "sideways")))
    if data["transitions"]:
        typer.echo("\nmoves:")
        for move in data["transitions"]:
            typer.echo(f"  {move['cases']:6}  {move['from']} -> {move['to']}")
        typer.echo("\nrules that changed:")
        for rule in data["rules_changed"]:
            typer.echo(f"  {rule['cases']:6}  {rule['rule_id']} {rule['change']}")
    if report.sample:
        typer.echo("\nsample of moved cases:")
        for move in report.sample:
            typer.echo(f"  case {move.case_id}: {move.current.label} -> {move.candidate.label} "
                       f"[{move.direction}] ({_rules(move)})")


def _rules(move) -> str:
    changes = [f"+{r}" for r in move.rules_added] + [f"-{r}" for r in move.rules_removed]
    return ", ".join(changes) or "same rules"
