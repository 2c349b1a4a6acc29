"""Fault 3: PostgreSQL restarts while the triage worker is working through a backlog. The pool's
checkout check (shared/db.py) and the tasks' transient-error retries carry the work over the
gap: every case ends routed exactly once, with no manual action. Uses a private PostgreSQL this
test may stop."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from clinic_cli.embedded import start_postgres
from shared.db import make_sync_engine
from shared.settings import Settings
from tests.faults.support import Faults, recovery_after, system_env
from tests.fixtures.database import alembic_config

pytestmark = pytest.mark.faults
CASES = 80


def test_a_postgres_restart_mid_triage_loses_and_repeats_no_case(redis_url, tmp_path):
    # Short and under /tmp: the server's unix socket path must stay under ~100 characters.
    directory = Path(tempfile.mkdtemp(prefix="clinic-f3-", dir="/tmp"))
    pg = start_postgres(directory / "pg")
    faults = engine = None
    try:
        url = pg.create_database("clinic")
        command.upgrade(alembic_config(url), "head")
        engine = make_sync_engine(Settings(DATABASE_URL=url, REDIS_URL=redis_url))
        faults = Faults.start(tmp_path, system_env(url, redis_url, tmp_path / "data"), engine,
                              ("api", "relay"))
        patient = faults.new_patient()
        faults.submit_many(CASES, patient)
        faults.system.start("triage")
        faults.system.wait_for(lambda: _decisions(engine) >= 5, 60, "triage to start")
        pg.stop()
        time.sleep(3)
        pg = start_postgres(directory / "pg")
        back = time.time()
        faults.wait_all_routed(timeout=120)
        figures = faults.case_figures("postgres_restart", CASES, recovery_after(faults, [back]))
        decided_before_restart = _decisions(engine)
    finally:
        if faults:
            faults.close()
        if engine is not None:
            engine.dispose()
        pg.stop()
        shutil.rmtree(directory, ignore_errors=True)

    assert decided_before_restart >= CASES
    assert figures["acknowledged"] == CASES
    assert figures["lost"] == 0 and figures["duplicated"] == 0


def _decisions(engine) -> int:
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM triage_decisions")).scalar()
    except Exception:  # noqa: BLE001 - the server may be restarting
        return 0
