"""`clinic triage`, `clinic rules`, `clinic schema`: the triage engine from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import TypeAdapter, ValidationError

from clinic_cli.replay_commands import replay
from services.triage.engine import CaseInput, evaluate
from services.triage.engine.rules import ALL_RULES
from services.triage.engine.ruleset import RULESET_HASH, RULESET_VERSION

_CASE = TypeAdapter(CaseInput)


def triage(case_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Print the decision for a case given as JSON (history, exam, age_years, days_since_onset)."""
    try:
        case = _CASE.validate_json(case_file.read_bytes())
    except ValidationError as exc:
        typer.echo(f"invalid case: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    typer.echo(json.dumps(evaluate(case).to_dict(), indent=2, default=str))


rules_app = typer.Typer(invoke_without_command=True, help="The rule set: list its rules "
                        "(no subcommand), or replay a candidate over the stored cases.")


@rules_app.callback()
def rules(context: typer.Context) -> None:
    """List every rule with its stage, route and sources."""
    if context.invoked_subcommand:
        return
    typer.echo(f"rule set {RULESET_VERSION} sha256 {RULESET_HASH}")
    for rule in ALL_RULES:
        route = rule.queue.value if rule.queue else "review only"
        if rule.modality:
            route += f"/{rule.modality.value}"
        typer.echo(f"\n{rule.id}  [{rule.stage.name.lower()}] -> {route}, {rule.urgency.value}")
        typer.echo(f"  {rule.rationale}")
        for source in rule.sources:
            typer.echo(
                f"  source: {source.source}" + (f" ({source.detail})" if source.detail else "")
            )


def schema() -> None:
    """Print the JSON Schema of the case input."""
    typer.echo(json.dumps(_CASE.json_schema(), indent=2))


def register(app: typer.Typer) -> None:
    app.command("triage")(triage)
    rules_app.command("replay")(replay)
    app.add_typer(rules_app, name="rules")
    app.command("schema")(schema)
