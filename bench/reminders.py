"""Reminders dispatched per second: the product's dispatcher (claim, render, send over SMTP,
record; a transaction per reminder) beside raw SMTP sends of a message of the same size to the
same local sink. The email channel keeps one SMTP connection for all its sends, so the baseline
that counts does too; raw sends opening a connection each (what the channel did until it kept
one) are measured and shown beside it."""

from __future__ import annotations

import smtplib
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from bench.context import Context
from bench.seed import seed_due_reminders
from bench.system import ports
from clinic_cli.processes import REPO_ROOT
from services.notify.dispatcher import dispatch_due, open_channels
from services.notify.service import NotifyConfig
from shared.clock import utcnow
from shared.db import make_sync_engine
from shared.settings import Settings


def measure(ctx: Context) -> dict:
    count = ctx.sizes.reminders
    seed_due_reminders(ctx.servers.database_url, count)
    (port,) = ports(1)
    with smtp_sink(port):
        before = [_raw_smtp(port, count, reuse) for reuse in (True, False)]
        product = _dispatcher(ctx, port, count)
        after = [_raw_smtp(port, count, reuse) for reuse in (True, False)]
    baseline, per_connection = ({"rate": (b["rate"] + a["rate"]) / 2, "runs": [b, a]}
                                for b, a in zip(before, after, strict=True))
    return {"product": product, "baseline": baseline, "ratio": product["rate"] / baseline["rate"],
            "baseline_connection_per_message": per_connection}


@contextmanager
def smtp_sink(port: int) -> Iterator[None]:
    sink = subprocess.Popen([sys.executable, "-m", "bench.smtp_sink", str(port)],
                            stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    try:
        assert sink.stdout and sink.stdout.readline().strip() == "ready"
        yield
    finally:
        sink.terminate()
        try:
            sink.wait(10)
        except subprocess.TimeoutExpired:
            sink.kill()
            sink.wait()


def _dispatcher(ctx: Context, port: int, count: int) -> dict:
    settings = Settings(**{**_settings_env(ctx), "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port})
    engine = make_sync_engine(settings)
    try:
        with open_channels(settings) as channels:
            began = time.perf_counter()
            outcomes = dispatch_due(engine, channels, NotifyConfig.from_settings(settings),
                                    utcnow(), limit=count)
            seconds = time.perf_counter() - began
    finally:
        engine.dispose()
    sent = outcomes.get("sent", 0)
    return {"rate": sent / seconds, "sent": sent, "seconds": seconds,
            "outcomes": {str(k): v for k, v in outcomes.items()}}


def _settings_env(ctx: Context) -> dict:
    return {"DATABASE_URL": ctx.servers.database_url, "REDIS_URL": ctx.servers.redis_url,
            "secret_key": ctx.env["CLINIC_SECRET_KEY"], "quiet_hours_start": "00:00",
            "quiet_hours_end": "00:00", "data_dir": ctx.servers.data_dir}


def _raw_smtp(port: int, count: int, reuse: bool) -> dict:
    """Each send builds its message; over one connection (`reuse`) or a connection each."""
    began = time.perf_counter()
    kept = smtplib.SMTP("127.0.0.1", port, timeout=10) if reuse else None
    try:
        for index in range(count):
            if kept is not None:
                kept.send_message(_message(index))
            else:
                with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
                    smtp.send_message(_message(index))
    finally:
        if kept is not None:
            kept.quit()
    seconds = time.perf_counter() - began
    return {"rate": count / seconds, "sent": count, "seconds": seconds, "reuse": reuse}


def _message(index: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Ankle Clinic <no-reply@clinic.local>"
    message["To"] = f"seed{index}@example.invalid"
    message["Subject"] = "How is your ankle?"
    message.set_content("x" * 900)  # about the rendered check-in reminder with its links
    return message
