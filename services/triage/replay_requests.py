"""Runs a what-if replay asked for on the governance page (services/intake/governance/
replays.py): claims the stored request, replays at most PAGE_LIMIT decisions with the runner
the CLI uses (replay_batches.py: bounded batches, each audited as a read of its cases by the
person who asked) and stores the report, or the reason it could not run.

Bounded because it runs on the triage worker, whose short visibility timeout keeps every task
under 14 s (shared/messaging.py); a replay over more decisions is `clinic rules replay`."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import Engine, update
from sqlmodel import col

from services.triage.replay_batches import run_replay
from services.triage.replay_candidates import CandidateUnavailable, candidate_process
from shared.audit import Actor
from shared.models import ReplayRequest

log = logging.getLogger("triage.replay_requests")
PAGE_LIMIT = 2_000


def run_requested_replay(engine: Engine, replay_id: uuid.UUID, now: datetime) -> str | None:
    """The request's status once run; None when it was not waiting (already run, or being
    run: a redelivered message does its work once)."""
    with engine.begin() as connection:
        claimed = connection.execute(
            update(ReplayRequest).where(col(ReplayRequest.id) == replay_id,
                                        col(ReplayRequest.status) == "requested")
            .values(status="running", started_at=now)
            .returning(ReplayRequest.against, ReplayRequest.requested_by,
                       ReplayRequest.requested_by_role)).one_or_none()
    if claimed is None:
        return None
    actor = Actor(id=claimed.requested_by, role=claimed.requested_by_role)
    try:
        with candidate_process(claimed.against) as candidate:
            report = run_replay(engine, candidate, actor, limit=PAGE_LIMIT)
    except (CandidateUnavailable, SoftTimeLimitExceeded) as problem:
        reason = (str(problem) if isinstance(problem, CandidateUnavailable) else
                  "over the worker's time limit: replay fewer decisions with the CLI")
        log.warning("replay %s against %s failed: %s", replay_id, claimed.against, reason)
        return _finish(engine, replay_id, now, status="failed", problem=reason[:500])
    return _finish(engine, replay_id, now, status="done",
                   report={**report.to_dict(), "limit": PAGE_LIMIT})


def _finish(engine: Engine, replay_id: uuid.UUID, now: datetime, **values) -> str:
    with engine.begin() as connection:
        connection.execute(update(ReplayRequest).where(col(ReplayRequest.id) == replay_id)
                           .values(finished_at=now, **values))
    return values["status"]
