"""The `clinic` command line: runs the system locally and hosts the admin commands.

Each group of commands lives in its own module and is registered here.
"""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Ankle and lower-leg pain triage platform")


def _register() -> None:
    import importlib

    for module in ("clinic_cli.run_commands", "clinic_cli.triage_commands", "clinic_cli.db_commands"):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        mod.register(app)


_register()
