"""PostgreSQL stops while the API runs (a private server this test may stop): readiness says
so (503) while liveness stays 200; a write answers 503 with Retry-After, never 500; the
patient's phone form comes back with every answer still in it and says to try again in a
moment, and the same answers are accepted once PostgreSQL is back."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import httpx
import pytest
from alembic import command

from clinic_cli.embedded import start_postgres
from shared.db import make_sync_engine
from shared.settings import Settings
from tests.faults.support import Faults, report, system_env
from tests.fixtures.database import alembic_config
from tests.integration.helpers import twisted_ankle_history

pytestmark = pytest.mark.faults

FORM_ANSWERS = {
    "side": "left", "onset": "injury", "injury_mechanism": "rolled_outward",
    "high_energy_injury": "no", "walked_four_steps_immediately": "no",
    "walks_four_steps_now": "no", "wound_over_injury": "no",
    "pain_locations": ["outside", "heel"], "pain_score": "7", "swelling": "moderate",
    "visible_deformity": "no", "numbness_or_tingling": "no", "foot_cold_pale_or_blue": "no",
    "joint_hot_red_swollen": "no", "foot_red_warm_swollen": "no", "fever_or_unwell": "no",
    "saddle_numbness_or_bladder_bowel_change": "no", "diabetes": "no",
    "takes_blood_thinners": "unsure"}
WRITES = 20


def test_postgres_down_means_503_with_retry_after_and_the_form_keeps_its_answers(
        redis_url, tmp_path):
    directory = Path(tempfile.mkdtemp(prefix="clinic-pgd-", dir="/tmp"))
    pg = start_postgres(directory / "pg")
    faults = engine = phone = None
    try:
        url = pg.create_database("clinic")
        command.upgrade(alembic_config(url), "head")
        engine = make_sync_engine(Settings(DATABASE_URL=url, REDIS_URL=redis_url))
        faults = Faults.start(tmp_path, system_env(url, redis_url, tmp_path / "data"), engine,
                              ("api",))
        api = faults.system.api
        patient_id = faults.new_patient()
        token = api.post(f"/patients/{patient_id}/links", headers=faults.headers,
                         json={"purpose": "intake"}).json()["token"]
        phone = httpx.Client(base_url=api.base_url, timeout=30)  # no staff cookie, as a phone
        assert phone.get(f"/form?token={token}").status_code == 303  # its page session
        csrf = phone.cookies.get("clinic_csrf")
        assert api.get("/health/ready").status_code == 200

        pg.stop()
        ready = api.get("/health/ready")
        live = api.get("/health/live")
        writes = [api.post("/cases", headers=faults.headers, json={
            "patient_id": patient_id, "history": twisted_ankle_history()})
            for _ in range(WRITES)]
        new_patient = api.post("/patients", headers=faults.headers, json={
            "given_name": "Away", "family_name": "Database", "birth_date": "1990-01-01"})
        form = phone.post("/form", data={"csrf_token": csrf, **FORM_ANSWERS})

        pg = start_postgres(directory / "pg")
        faults.system.wait_until_ready()
        sent_again = phone.post("/form", data={"csrf_token": csrf, **FORM_ANSWERS})
        report("postgres_down_writes", trials=WRITES + 2, acknowledged=0, lost=0, duplicated=0,
               recovered=int(sent_again.status_code == 303), max_recovery_s=0)
    finally:
        if phone is not None:
            phone.close()
        if faults:
            faults.close()
        if engine is not None:
            engine.dispose()
        pg.stop()
        shutil.rmtree(directory, ignore_errors=True)

    assert ready.status_code == 503
    assert ready.json()["database"] != "ok" and ready.json()["redis"] == "ok"
    assert live.status_code == 200
    for answer in [*writes, new_patient]:
        assert answer.status_code == 503, answer.text
        assert answer.headers["retry-after"] == "5"
        assert answer.json()["detail"][0]["type"] == "service_unavailable"

    assert form.status_code == 503 and form.headers["retry-after"] == "5"
    assert "Please try again in a moment." in form.text
    assert f'data-draft-key="intake-draft:{patient_id}"' in form.text
    assert "data-clear-draft" not in form.text  # only the done page clears the phone's draft
    for name, value in FORM_ANSWERS.items():
        for one in value if isinstance(value, list) else [value]:
            assert re.search(rf'name="{name}" value="{one}" checked', form.text), (name, one)

    assert sent_again.status_code == 303, sent_again.text[-1500:]
    assert sent_again.headers["location"].startswith("/form/done/")
