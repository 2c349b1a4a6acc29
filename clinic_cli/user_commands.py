"""`clinic users ...`: staff accounts from the command line (the first admin has no one to ask)."""

from __future__ import annotations

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor

import typer
from pydantic import ValidationError

from clinic_cli.database import command_database_url
from services.intake.auth.signed_in_cache import SignedInCache
from services.intake.errors import Conflict
from services.intake.users.schemas import UserCreate, UserUpdate
from services.intake.users.service import create_user, find_by_email, update_user
from shared.db import async_session_factory, make_async_engine
from shared.settings import Settings

users = typer.Typer(no_args_is_help=True, help="Staff accounts")
ROLES = ("front_desk", "clinician", "admin")


def register(app: typer.Typer) -> None:
    app.add_typer(users, name="users")


@users.command("create")
def create(
    email: str = typer.Option(..., help="Their email address (their sign-in name)."),
    role: str = typer.Option(..., help=f"One of: {', '.join(ROLES)}."),
    name: str = typer.Option(None, help="Name shown in pages and the audit trail."),
    password_stdin: bool = typer.Option(False, help="Read the password from standard input."),
) -> None:
    """Create a staff account. The password is asked for (or read from stdin), never given as
    an option, so it stays out of shell history and process lists."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    try:
        data = UserCreate(email=email, display_name=name or role.replace("_", " ").title(),
                          role=role, password=password)
    except ValidationError as problem:
        for error in problem.errors():
            typer.echo(f"{'.'.join(map(str, error['loc']))}: {error['msg']}", err=True)
        raise typer.Exit(2) from None
    try:
        with command_database_url() as url:
            user_id = _run_async(_create(url, data))
    except Conflict as problem:
        typer.echo(problem.message, err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{role} account created: {user_id}")


@users.command("create-admin")
def create_admin(
    email: str = typer.Option(..., help="The admin's email address (their sign-in name)."),
    name: str = typer.Option("Administrator", help="Name shown in pages and the audit trail."),
    password_stdin: bool = typer.Option(False, help="Read the password from standard input."),
) -> None:
    """Create the first admin account (same as `users create --role admin`)."""
    create(email=email, role="admin", name=name, password_stdin=password_stdin)


@users.command("reset-one-time-code")
def reset_one_time_code(
    email: str = typer.Option(..., help="The account whose authenticator was lost."),
) -> None:
    """Clear an account's one-time code and end its sessions; its next sign-in sets up a new
    one (an admin's must). For the admin who has no other admin to ask."""
    with command_database_url() as url:
        found = _run_async(_reset_one_time_code(url, email))
    if not found:
        typer.echo(f"no account with the email {email}", err=True)
        raise typer.Exit(1)
    typer.echo("one-time code cleared; the next sign-in sets up a new one")


def _run_async(coroutine):
    """Runs the async account service from this synchronous command, in its own thread so it
    works even when the caller already has an event loop running (tests, notebooks)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _reset_one_time_code(database_url: str, email: str) -> bool:
    engine = make_async_engine(Settings(DATABASE_URL=database_url))
    try:
        async with async_session_factory(engine)() as session:
            user = await find_by_email(session, email)
            if user is None:
                return False
            await update_user(session, user.id, UserUpdate(reset_one_time_code=True),
                              SignedInCache())
            await session.commit()
            return True
    finally:
        await engine.dispose()


async def _create(database_url: str, data: UserCreate):
    engine = make_async_engine(Settings(DATABASE_URL=database_url))
    try:
        async with async_session_factory(engine)() as session:
            user = await create_user(session, data)
            await session.commit()
            return user.id
    finally:
        await engine.dispose()
