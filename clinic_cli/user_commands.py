"""`clinic users ...`: staff accounts from the command line (the first admin has no one to ask)."""

from __future__ import annotations

import asyncio
import sys

import typer
from pydantic import ValidationError

from services.intake.errors import Conflict
from services.intake.users.schemas import UserCreate
from services.intake.users.service import create_user
from shared.db import async_session_factory, make_async_engine
from shared.settings import get_settings

users = typer.Typer(no_args_is_help=True, help="Staff accounts")


def register(app: typer.Typer) -> None:
    app.add_typer(users, name="users")


@users.command("create-admin")
def create_admin(
    email: str = typer.Option(..., help="The admin's email address (their sign-in name)."),
    name: str = typer.Option("Administrator", help="Name shown in the audit trail and pages."),
    password_stdin: bool = typer.Option(False, help="Read the password from standard input."),
) -> None:
    """Create an admin account; the password is asked for (or read from stdin), never an option,
    so it stays out of shell history and process lists."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    try:
        data = UserCreate(email=email, display_name=name, role="admin", password=password)
    except ValidationError as problem:
        for error in problem.errors():
            typer.echo(f"{'.'.join(map(str, error['loc']))}: {error['msg']}", err=True)
        raise typer.Exit(2) from None
    try:
        user_id = asyncio.run(_create(data))
    except Conflict as problem:
        typer.echo(problem.message, err=True)
        raise typer.Exit(1) from None
    typer.echo(f"admin account created: {user_id}")


async def _create(data: UserCreate):
    engine = make_async_engine(get_settings())
    try:
        async with async_session_factory(engine)() as session:
            user = await create_user(session, data)
            await session.commit()
            return user.id
    finally:
        await engine.dispose()
