"""A new triage pool process connects and runs its read once before the first case arrives.

Why: the first cases after a worker (re)start waited 150-250 ms behind the first task's
connecting and statement compiling (bench: every submit-to-routed time above 150 ms came
in the first 0.2 s after the worker started). A failure here changes nothing: the first task
connects, and retries, as it always did."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from services.triage import repository

log = logging.getLogger("triage.warm_up")


def warm_up(engine: Callable[[], Engine]) -> bool:
    """True when the process is connected and its read compiled; never raises for the
    database being away."""
    try:
        with engine().connect() as connection:
            # No case has a random id: this locks nothing and reads nothing.
            repository.case_for_triage(connection, uuid.uuid4(), uuid.uuid4())
            connection.rollback()
        return True
    except SQLAlchemyError as problem:
        log.warning("warm-up skipped (%s); the first task will connect", type(problem).__name__)
        return False
