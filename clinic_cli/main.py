"""The `clinic` command line: runs the system locally and hosts the admin commands.

Each group of commands lives in its own module and registers itself here.
"""

from __future__ import annotations

import typer

from clinic_cli import (
    backup_commands,
    bench_commands,
    fhir_client_commands,
    run_commands,
    triage_commands,
    user_commands,
)

app = typer.Typer(no_args_is_help=True, help="Ankle and lower-leg pain triage platform")

for commands in (run_commands, triage_commands, user_commands, bench_commands,
                 fhir_client_commands, backup_commands):
    commands.register(app)
