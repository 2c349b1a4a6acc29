"""Which database an admin command talks to: DATABASE_URL when set, else the embedded server
that `clinic run` keeps in the data folder (started for the command if it is not running)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from clinic_cli import embedded
from clinic_cli.processes import DEFAULT_DATA_DIR, REPO_ROOT


@contextmanager
def command_database_url() -> Iterator[str]:
    if url := os.environ.get("DATABASE_URL"):
        yield url
        return
    data_dir = (REPO_ROOT / os.environ.get("CLINIC_DATA_DIR", DEFAULT_DATA_DIR)).resolve()
    with embedded.start_postgres(Path(data_dir) / "pg") as postgres:
        yield postgres.create_database("clinic")
