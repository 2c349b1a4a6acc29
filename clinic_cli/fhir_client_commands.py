"""`clinic fhir-clients ...`: the systems allowed to read /fhir with SMART Backend Services
(an admin registers each with its public keys and the scopes it may be granted)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated

import typer

from clinic_cli.database import command_database_url
from services.intake.fhir.smart import registry
from shared.db import make_sync_engine
from shared.settings import Settings

clients = typer.Typer(no_args_is_help=True, help="FHIR backend clients (SMART Backend Services)")


def register(app: typer.Typer) -> None:
    app.add_typer(clients, name="fhir-clients")


def _engine(url: str):
    return make_sync_engine(Settings(database_url=url))


@clients.command("register")
def register_client(
    name: Annotated[str, typer.Option(help="Which system this is, for people reading the "
                                          "list.")],
    jwks: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="A file holding the "
                                       "client's public keys as a JWK Set.")],
    scope: Annotated[list[str], typer.Option(help="A scope it may be granted, e.g. "
                                             "system/Task.read; repeat for more.")],
) -> None:
    """Register a backend client; prints its client_id (the iss and sub of its assertions)."""
    try:
        keys = json.loads(jwks.read_text())
        with command_database_url() as url:
            client_id = registry.register(_engine(url), name, keys, scope)
    except (ValueError, registry.InvalidRegistration) as problem:
        typer.echo(str(problem), err=True)
        raise typer.Exit(2) from None
    typer.echo(f"client_id: {client_id}")


@clients.command("list")
def list_clients() -> None:
    with command_database_url() as url:
        for client in registry.listed(_engine(url)):
            state = "active" if client.is_active else "disabled"
            typer.echo(f"{client.id}  {state:8}  {client.name}  {client.scopes}")


@clients.command("disable")
def disable(client_id: uuid.UUID) -> None:
    """Stop a client: its tokens stop working at once, and it gets no new one."""
    with command_database_url() as url:
        if not registry.set_active(_engine(url), client_id, False):
            typer.echo("no such client", err=True)
            raise typer.Exit(1)
    typer.echo("disabled")
