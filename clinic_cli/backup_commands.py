"""`clinic backup` and `clinic restore`: a consistent pg_dump of the database into the data
folder's backups/ (the newest CLINIC_BACKUP_KEEP kept), and its restore into a new database.

Both talk to DATABASE_URL when it is set, else to the embedded server in the data folder
(started for the command if `clinic run` is not running). The dumps hold patient data: the
folder is the user's alone (0700, files 0600); copy them off the machine, encrypted.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from clinic_cli import backups
from clinic_cli.database import command_database_url
from clinic_cli.processes import DEFAULT_DATA_DIR, REPO_ROOT
from shared.clock import utcnow
from shared.settings import Settings


def data_dir() -> Path:
    return (REPO_ROOT / os.environ.get("CLINIC_DATA_DIR", DEFAULT_DATA_DIR)).resolve()


def backup(
    keep: Annotated[int | None, typer.Option(
        help="Backups to keep, the newest (default CLINIC_BACKUP_KEEP, 7).", min=1)] = None,
    directory: Annotated[Path | None, typer.Option(
        help="Where to write (default: the data folder's backups/).")] = None,
) -> None:
    """Dump the database (one consistent snapshot, pg_dump custom format) and rotate."""
    directory = directory or data_dir() / "backups"
    try:
        with command_database_url() as url:
            path = backups.write_backup(url, directory, utcnow())
    except backups.BackupError as problem:
        typer.echo(str(problem), err=True)
        raise typer.Exit(1) from None
    removed = backups.rotate(directory, keep or Settings().backup_keep)
    typer.echo(f"backup written: {path} ({path.stat().st_size} bytes)")
    for old in removed:
        typer.echo(f"removed old backup: {old.name}")


def restore(
    backup_file: Annotated[Path, typer.Argument(exists=True, dir_okay=False,
                                                help="A file written by `clinic backup`.")],
    database: Annotated[str | None, typer.Option(
        help="The database to restore into, created if missing (default: the one "
             "DATABASE_URL names, or `clinic` on the embedded server).")] = None,
    force: Annotated[bool, typer.Option(
        help="Replace the contents of a database that is not empty.")] = False,
) -> None:
    """Restore a backup into a new (or empty) database, in one transaction."""
    try:
        with command_database_url() as url:
            target = make_url(url).set(database=database) if database else make_url(url)
            target_url = target.render_as_string(hide_password=False)
            backups.restore_backup(backup_file, target_url, force=force)
    except backups.BackupError as problem:
        typer.echo(str(problem), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"restored {backup_file.name} into database {target.database}")


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)
