"""Liveness (the process answers) and readiness (its real dependencies answer).

Readiness is 503 when PostgreSQL or Redis does not answer within CHECK_TIMEOUT_SECONDS. It also
reports the background processes' heartbeats (shared/heartbeats.py): which are beating and
which stopped. A stale worker does not make the API unready: forms are still accepted (the
outbox holds their messages), and the supervisor restarts the worker.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response, status
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from shared.heartbeats import report_async

router = APIRouter(prefix="/health", tags=["health"])

CHECK_TIMEOUT_SECONDS = 2.0
UNREACHABLE = (SQLAlchemyError, RedisError, OSError, TimeoutError)


@router.get("/live")
async def live() -> dict:
    return {"status": "ok"}


@router.get("/ready")
async def ready(request: Request, response: Response) -> dict:
    redis = request.app.state.redis
    database, redis_failure, processes = await asyncio.gather(
        _failure(_database(request)), _failure(redis.ping()), _processes(redis))
    ok = database is None and redis_failure is None
    if not ok:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return {"status": "ok" if ok else "unavailable", "database": database or "ok",
            "redis": redis_failure or "ok", "processes": processes}


async def _database(request: Request) -> None:
    async with request.app.state.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def _failure(check) -> str | None:
    """None when `check` answered in time, else the error's name (never its text)."""
    try:
        await asyncio.wait_for(check, CHECK_TIMEOUT_SECONDS)
    except UNREACHABLE as exc:
        return type(exc).__name__
    return None


async def _processes(redis) -> dict | str:
    try:
        return await asyncio.wait_for(report_async(redis), CHECK_TIMEOUT_SECONDS)
    except UNREACHABLE:
        return "unknown"
