"""What the fault-injection tests share: the real processes, a stream of submissions, the
checks of what became of each case, and the one line of figures each test prints.

Figures, the same shape for every fault so results compare over time:
    trials          units of work driven (cases submitted, messages duplicated, ...)
    acknowledged    units the system accepted (201 from the API, a message published)
    lost            acknowledged units whose effect never appeared
    duplicated      units whose effect appeared more than once
    recovered       acknowledged units whose effect appeared in the end
    max_recovery_s  longest time from the end of a fault until the work caught up
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import Engine, text

from clinic_cli.processes import ProcessSpec, system_processes
from tests.e2e.system import RunningSystem
from tests.fixtures.smtp import free_port
from tests.integration.auth_helpers import PASSWORD, bearer, make_user
from tests.integration.helpers import patient_payload, twisted_ankle_history

ROOT = Path(__file__).resolve().parents[2]
FIGURES_FILE = ROOT / "artifacts" / "fault-figures.jsonl"
PRINTED: list[str] = []


def report(fault: str, trials: int, acknowledged: int, lost: int, duplicated: int,
           recovered: int, max_recovery_s: float, **extra: object) -> dict:
    """`extra`: figures only some faults have (duplicate emails, API availability, ...)."""
    figures = {"fault": fault, "trials": trials, "acknowledged": acknowledged, "lost": lost,
               "duplicated": duplicated, "recovered": recovered,
               "max_recovery_s": round(max_recovery_s, 2), **extra}
    line = "FAULT-FIGURES " + json.dumps(figures)
    # Printed now (seen with -s), repeated in the session summary (seen without -s: see
    # conftest.py), and kept in a file so results compare over time.
    print(line, flush=True)
    PRINTED.append(line)
    FIGURES_FILE.parent.mkdir(exist_ok=True)
    with FIGURES_FILE.open("a") as out:
        out.write(json.dumps({**figures, "at": datetime.now(UTC).isoformat()}) + "\n")
    return figures


def system_env(database_url: str, redis_url: str, data_dir: Path, **extra: str) -> dict:
    return {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
            "CLINIC_DATA_DIR": str(data_dir), "CLINIC_ENV": "test",
            "CLINIC_SECRET_KEY": "faults-secret-key", "CLINIC_OUTBOX_POLL_SECONDS": "0.2",
            "CLINIC_DISPATCH_INTERVAL_SECONDS": "1",
            "CLINIC_QUIET_HOURS_START": "08:00", "CLINIC_QUIET_HOURS_END": "08:00",
            # The sweeper stays out of the way unless a test asks for it.
            "CLINIC_TRIAGE_SWEEP_AFTER_SECONDS": "100000000", **extra}


@dataclass
class Faults:
    """The running system of one fault test, plus the clients that drive and inspect it."""

    system: RunningSystem
    engine: Engine
    headers: dict[str, str] = field(default_factory=dict)
    submitted: dict[str, float] = field(default_factory=dict)  # case id -> time acknowledged
    server_errors: int = 0
    transport_errors: int = 0

    @classmethod
    def start(cls, tmp_path: Path, env: dict, engine: Engine, names: tuple[str, ...],
              extra_specs: list[ProcessSpec] = ()) -> Faults:
        port = free_port()
        (tmp_path / "logs").mkdir(exist_ok=True)
        Path(env["CLINIC_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
        api = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        specs = [*system_processes(env, api_port=port), *extra_specs]
        running = RunningSystem(specs, tmp_path / "logs", api)
        faults = cls(running, engine)
        try:
            for name in names:
                running.start(name)
            if "api" in names:
                running.wait_until_ready()
                faults.sign_in()
        except BaseException:
            faults.close()
            raise
        return faults

    def close(self) -> None:
        self.system.api.close()
        self.system.stop_all()

    def sign_in(self) -> None:
        email = make_user(self.engine, "front_desk").email
        answer = self.system.api.post("/auth/sign-in", json={"email": email, "password": PASSWORD})
        self.headers = bearer(answer.json()["token"])

    def new_patient(self) -> str:
        answer = self.system.api.post("/patients", json=patient_payload(), headers=self.headers)
        assert answer.status_code == 201, answer.text
        return answer.json()["patient"]["id"]

    def submit(self, patient_id: str) -> str | None:
        """One pre-visit form; the case id when the API acknowledged it."""
        try:
            answer = self.system.api.post("/cases", headers=self.headers, json={
                "patient_id": patient_id, "history": twisted_ankle_history()})
        except httpx.TransportError:
            self.transport_errors += 1
            return None
        if answer.status_code >= 500:
            self.server_errors += 1
            return None
        assert answer.status_code == 201, answer.text
        case_id = answer.json()["id"]
        self.submitted[case_id] = time.time()
        return case_id

    def submit_many(self, count: int, patient_id: str, every_s: float = 0.0,
                    between: Callable[[int], None] | None = None) -> None:
        for n in range(count):
            self.submit(patient_id)
            if between:
                between(n)
            if every_s:
                time.sleep(every_s)

    def decisions_per_case(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT c.id::text, count(d.id) FROM cases c "
                "LEFT JOIN triage_decisions d ON d.case_id = c.id "
                "WHERE c.id = ANY(CAST(:ids AS uuid[])) GROUP BY c.id"),
                {"ids": list(self.submitted)}).all()
        return dict(rows)

    def routed_count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(text(
                "SELECT count(*) FROM cases WHERE status = 'routed' "
                "AND id = ANY(CAST(:ids AS uuid[]))"), {"ids": list(self.submitted)}).scalar()

    def wait_all_routed(self, timeout: float) -> float:
        """Waits until every acknowledged case is routed; returns when that happened."""
        def done() -> bool:
            return self.routed_count() == len(self.submitted)
        try:
            self.system.wait_for(done, timeout, "every case to be routed")
        except AssertionError:
            pass  # the figures report what is missing; the test asserts on them
        return time.time()

    def latest_decision_time(self) -> float:
        with self.engine.connect() as conn:
            latest = conn.execute(text(
                "SELECT max(decided_at) FROM triage_decisions "
                "WHERE case_id = ANY(CAST(:ids AS uuid[]))"),
                {"ids": list(self.submitted)}).scalar()
        return latest.timestamp() if latest else time.time()

    def case_figures(self, fault: str, trials: int, recovery_s: float) -> dict:
        per_case = self.decisions_per_case()
        routed = self.routed_count()
        return report(fault, trials=trials, acknowledged=len(self.submitted),
                      lost=len(self.submitted) - routed,
                      duplicated=sum(1 for n in per_case.values() if n > 1),
                      recovered=routed, max_recovery_s=max(recovery_s, 0.0))


def kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # it already died on its own (a killed pool child can take the worker down)
    process.wait()


def recovery_after(faults: Faults, fault_times: list[float]) -> float:
    """Longest time from a fault until every case acknowledged before it was decided."""
    with faults.engine.connect() as conn:
        decided = dict(conn.execute(text(
            "SELECT case_id::text, extract(epoch FROM min(decided_at)) FROM triage_decisions "
            "WHERE case_id = ANY(CAST(:ids AS uuid[])) GROUP BY case_id"),
            {"ids": list(faults.submitted)}).all())
    worst = 0.0
    for at in fault_times:
        before = [float(decided.get(c, time.time())) for c, t in faults.submitted.items()
                  if t <= at]
        if before:
            worst = max(worst, max(before) - at)
    return worst


@contextmanager
def restarted_when_it_exits(faults: Faults, name: str) -> Iterator[None]:
    """Restarts the named process whenever it exits, as a process manager does (compose's
    `restart: unless-stopped`): Celery's worker can die on a broker outage or a killed pool
    child, and these tests check that the work survives that, not that the process does."""
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.5):
            if faults.system.processes[name].poll() is not None:
                faults.system.start(name)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()
