"""The real `clinic run` (its supervisor, embedded PostgreSQL and Redis) in a temporary data
folder, a stream of submissions through a fault, and the figures of what became of them.

    run = ClinicRun.start(directory)           # `clinic run --port P`, waits until ready
    run.child("triage")                         # psutil.Process of the supervisor's child
    drive = Drive(run, count=200)               # submitting in the background
    drive.wait_for_acknowledged(50); ...fault...; drive.finish()
    figures = drive.figures("triage_sigkill", fault_end)

Every submission is an emergency (fever with a hot, swollen joint), so each routed case also
sends one staff alert email at once: duplicate emails are counted from the Maildir. A refused
or unanswered submission is retried with the same Idempotency-Key, as the phone form does, so
a retry never makes a second case; `first_try_2xx` counts those answered 2xx the first time.
"""

from __future__ import annotations

import mailbox
import os
import re
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import httpx
import psutil
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from clinic_cli.processes import REPO_ROOT
from clinic_cli.run_lock import running_pid
from tests.faults.support import report
from tests.fixtures.smtp import free_port
from tests.integration.auth_helpers import PASSWORD, bearer, make_user
from tests.integration.helpers import patient_payload, twisted_ankle_history

CLINIC = REPO_ROOT / ".venv" / "bin" / "clinic"
READY_TIMEOUT_S = 120
# How each child is recognised among the supervisor's children.
CHILD_MATCH = {
    "api": "uvicorn", "relay": "shared.outbox.relay", "triage": "services.triage.worker",
    "notify": "services.notify.worker worker", "scheduler": " beat ",
    "redis": "redis-server", "postgres": "postgres -D",
}
EMERGENCY = twisted_ankle_history(fever_or_unwell=True, joint_hot_red_swollen=True)


class ClinicRun:
    def __init__(self, directory: Path, port: int):
        self.directory, self.port = directory, port
        self.data_dir = directory / "data"
        self.log_path = directory / "clinic-run.log"
        self.process: subprocess.Popen | None = None
        self.api = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
        self.engine = create_engine(
            f"postgresql+psycopg://postgres@/clinic?host={self.data_dir / 'pg'}",
            poolclass=NullPool, connect_args={"connect_timeout": 2})
        self.headers: dict[str, str] = {}

    @classmethod
    def start(cls, directory: Path) -> ClinicRun:
        run = cls(directory, free_port())
        run.launch()
        run.wait_until_ready()
        make_user(run.engine, "clinician")  # alerted of every emergency (nobody is on duty)
        desk = make_user(run.engine, "front_desk")
        token = run.api.post("/auth/sign-in", json={"email": desk.email, "password": PASSWORD})
        run.headers = bearer(token.json()["token"])
        return run

    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items()
               if key not in ("DATABASE_URL", "REDIS_URL", "CLINIC_SECRET_KEY", "SMTP_HOST")}
        return {**env, "CLINIC_DATA_DIR": str(self.data_dir), "CLINIC_ENV": "local",
                "CLINIC_OUTBOX_POLL_SECONDS": "0.2", "CLINIC_DISPATCH_INTERVAL_SECONDS": "1",
                "CLINIC_QUIET_HOURS_START": "08:00", "CLINIC_QUIET_HOURS_END": "08:00"}

    def command(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run([str(CLINIC), *args], check=False, env=self.env(), cwd=REPO_ROOT,
                              capture_output=True, text=True, **kwargs)

    def launch(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen([str(CLINIC), "run", "--port", str(self.port)],
                                            env=self.env(), cwd=REPO_ROOT, stdout=log,
                                            stderr=subprocess.STDOUT)

    def wait_until_ready(self) -> float:
        def ready() -> bool:
            try:
                return self.api.get("/health/ready").status_code == 200
            except httpx.TransportError:
                return False
        wait_for(ready, READY_TIMEOUT_S, "clinic run to be ready", self)
        return time.time()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def children(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children()

    def child(self, name: str) -> psutil.Process | None:
        for process in self.children():
            try:
                if CHILD_MATCH[name] in " ".join(process.cmdline()) + " ":
                    return process
            except psutil.NoSuchProcess:
                continue
        return None

    def replaced(self, name: str, old_pid: int) -> psutil.Process | None:
        new = self.child(name)
        return new if new is not None and new.pid != old_pid else None

    def all_descendants(self) -> list[int]:
        return [p.pid for p in psutil.Process(self.process.pid).children(recursive=True)]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.command("stop", timeout=90)
            self.process.wait(30)
        self.api.close()
        self.engine.dispose()

    def maildir_case_ids(self) -> list[str]:
        folder = self.data_dir / "mail"
        if not (folder / "new").exists():
            return []
        ids = []
        for message in mailbox.Maildir(folder, create=False):
            body = message.get_payload(decode=True) or b""
            ids += re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                              body.decode(errors="replace"))
        return ids


class Drive:
    """`count` emergency submissions from `threads` clients, in the background."""

    # A client retries a refused submission for 20 s: four times the slowest restart measured
    # (a killed `clinic run` started again is ready in about 5 s, README's fault table).
    def __init__(self, run: ClinicRun, count: int = 200, threads: int = 3,
                 give_up_after_s: float = 20):
        self.run, self.count = run, count
        self.give_up_after_s = give_up_after_s
        self.patient = self._new_patient()
        self.case_ids: list[str] = []
        self.first_try_2xx = 0
        self.retried = 0
        self.refused_for_good = 0
        self.sent_to_created = 0  # retries answered 303: their first answer died with the API
        self._lock = threading.Lock()
        self._next = iter(range(count))
        self._threads = [threading.Thread(target=self._submit_loop, daemon=True)
                         for _ in range(threads)]
        for thread in self._threads:
            thread.start()

    def _new_patient(self) -> str:
        answer = self.run.api.post("/patients", json=patient_payload(), headers=self.run.headers)
        assert answer.status_code == 201, answer.text
        return answer.json()["patient"]["id"]

    def _submit_loop(self) -> None:
        client = httpx.Client(base_url=str(self.run.api.base_url), timeout=10)
        try:
            while True:
                with self._lock:
                    if next(self._next, None) is None:
                        return
                self._submit(client)
        finally:
            client.close()

    def _submit(self, client: httpx.Client) -> None:
        key = str(uuid.uuid4())
        deadline = time.monotonic() + self.give_up_after_s
        first = True
        while time.monotonic() < deadline:
            try:
                answer = client.post("/cases", headers={**self.run.headers, "Idempotency-Key": key},
                                     json={"patient_id": self.patient, "history": EMERGENCY})
                ok = answer.status_code in (200, 201, 303)
            except httpx.TransportError:
                ok = False
            with self._lock:
                if ok:
                    self.first_try_2xx += first and answer.status_code != 303
                    self.sent_to_created += answer.status_code == 303
                    # 303: the answer was lost with the API; the case it opened is named.
                    self.case_ids.append(answer.json()["id"] if answer.status_code != 303
                                         else answer.headers["location"].rsplit("/", 1)[-1])
                    return
                self.retried += first
            first = False
            time.sleep(0.2)
        with self._lock:
            self.refused_for_good += 1

    def acknowledged(self) -> int:
        with self._lock:
            return len(self.case_ids)

    def wait_for_acknowledged(self, n: int) -> None:
        wait_for(lambda: self.acknowledged() >= n, 60, f"{n} submissions acknowledged", self.run)

    def finish(self) -> None:
        for thread in self._threads:
            thread.join(self.give_up_after_s + 30)

    def routed_and_made(self) -> tuple[int, int]:
        try:
            with self.run.engine.connect() as conn:
                return tuple(conn.execute(text(
                    "SELECT count(*) FILTER (WHERE status = 'routed'), count(*) FROM cases "
                    "WHERE patient_id = :p"), {"p": self.patient}).one())
        except Exception:  # noqa: BLE001 - PostgreSQL may be restarting
            return (-1, 0)

    def wait_all_routed(self, timeout: float = 90) -> float:
        """Waits until every case made (acknowledged or not) is routed; returns that moment."""
        def done() -> bool:
            routed, made = self.routed_and_made()
            return made >= len(self.case_ids) and routed == made
        try:
            wait_for(done, timeout, "every case routed", self.run)
        except AssertionError:
            return time.time()  # the figures say what is missing; the test asserts on them
        # When the last decision was made, not when this test looked (it may have waited for
        # a refused submission's retries to give up).
        with self.run.engine.connect() as conn:
            latest = conn.execute(text(
                "SELECT extract(epoch FROM max(d.decided_at)) FROM triage_decisions d "
                "JOIN cases c ON c.id = d.case_id WHERE c.patient_id = :p"),
                {"p": self.patient}).scalar()
        return float(latest) if latest is not None else time.time()

    def wait_for_alerts(self, timeout: float) -> None:
        """Each acknowledged case's emergency alert, for at most `timeout` seconds."""
        try:
            wait_for(lambda: set(self.case_ids) <= set(self.run.maildir_case_ids()), timeout,
                     "every case's alert email", self.run)
        except AssertionError:
            pass  # counted as alerts_missing

    def figures(self, fault: str, fault_end: float, routed_at: float, **extra) -> dict:
        with self.run.engine.connect() as conn:
            cases = conn.execute(text(
                "SELECT c.id::text, c.status, count(d.id) FROM cases c "
                "LEFT JOIN triage_decisions d ON d.case_id = c.id "
                "WHERE c.patient_id = :p GROUP BY c.id, c.status"), {"p": self.patient}).all()
        acknowledged = set(self.case_ids)
        routed = {c for c, status, _ in cases if status == "routed"}
        emails = self.run.maildir_case_ids()
        return report(
            fault, trials=self.count, acknowledged=len(acknowledged),
            lost=len(acknowledged - routed),
            # More cases than submissions (a retry not recognised), or a case decided twice.
            duplicated=max(0, len(cases) - self.count) + sum(1 for *_, n in cases if n > 1),
            recovered=len(acknowledged & routed), max_recovery_s=max(0.0, routed_at - fault_end),
            # Saved, but the client never got its answer (a retry kept being refused).
            saved_unanswered=len({c for c, *_ in cases} - acknowledged),
            duplicate_emails=sum(max(0, emails.count(c) - 1) for c in acknowledged),
            alerts_missing=len(acknowledged - set(emails)),
            routed_within_s_of_fault_end=round(max(0.0, routed_at - fault_end), 1),
            first_try_2xx_pct=round(100 * self.first_try_2xx / self.count, 1),
            refused_for_good=self.refused_for_good, sent_to_created=self.sent_to_created,
            person_acted=False, **extra)


def wait_for(condition, timeout: float, what: str, run: ClinicRun | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    tail = run.log()[-4000:] if run else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{tail}")


def gone(pids: list[int]) -> bool:
    return not [pid for pid in pids if _alive(pid)]


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def resume(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGCONT)
    except ProcessLookupError:
        pass  # the supervisor killed it, as it should


__all__ = ["ClinicRun", "Drive", "gone", "resume", "running_pid", "wait_for"]
