"""Installs the tests make on first use (Chromium, FHIR.js) happen once per machine, even when
pytest-xdist runs several test processes at once: apt and npm must not install side by side."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCKS = Path("/tmp")


@contextmanager
def installing(name: str) -> Iterator[None]:
    """Holds the machine-wide lock `name` while the block installs; a second process waits, then
    finds the work done."""
    with open(LOCKS / f"clinic-tests-install-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
