"""The baselines for the intake API: the least a FastAPI service can do for the same request.

    uvicorn bench.baseline_app:create_app --factory      (DATABASE_URL names the database)

POST /intake        inserts the submitted form as one row (bench_intake) straight through asyncpg
GET  /queues/{q}/cases  the queue listing's two queries (the product's SQL), rows as bare JSON
GET  /board         the same queries for each column of the HTML queue board, as bare JSON
"""

from __future__ import annotations

import json
import os
import uuid
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import Response
from pydantic import BaseModel

from bench.servers import libpq_url

INSERT = "INSERT INTO bench_intake (id, patient_id, answers) VALUES ($1, $2, $3)"
OPEN = "('requested', 'accepted', 'in-progress')"
LISTING = f"""
SELECT queue_entries.*, triage_decisions.*, cases.patient_id FROM queue_entries
JOIN cases ON cases.id = queue_entries.case_id
JOIN triage_decisions ON triage_decisions.id = queue_entries.decision_id
WHERE queue_entries.queue = $1 AND queue_entries.status IN {OPEN} {{modality}}
ORDER BY queue_entries.urgency_rank DESC, queue_entries.entered_at LIMIT $2
"""
COUNTS = f"""
SELECT urgency, count(*) FROM queue_entries WHERE queue = $1 AND status IN {OPEN} {{modality}}
GROUP BY urgency
"""
MODALITY = "AND queue_entries.imaging_modality = $3"
POOL_SIZE = 10  # asyncpg keeps up to twice this open (the product: db_pool_size, 16, no overflow)


class Submission(BaseModel):
    patient_id: uuid.UUID
    history: dict[str, Any]


def create_app() -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.pool = await asyncpg.create_pool(
            libpq_url(os.environ["DATABASE_URL"]), min_size=POOL_SIZE, max_size=2 * POOL_SIZE)
        yield
        await app.state.pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/intake", status_code=201)
    async def intake(submission: Submission, request: Request) -> dict[str, str]:
        row_id = uuid.uuid4()
        await request.app.state.pool.execute(INSERT, row_id, submission.patient_id,
                                             json.dumps(submission.history))
        return {"id": str(row_id)}

    @app.get("/queues/{queue}/cases")
    async def listing(queue: str, request: Request, limit: int = 100) -> Response:
        async with request.app.state.pool.acquire() as conn:
            body = await _column(conn, queue, None, limit)
        return Response(json.dumps(body, default=str), media_type="application/json")

    @app.get("/board")
    async def board(request: Request) -> Response:
        """The board page's queries (its columns, its page size), as bare JSON."""
        from services.intake.pages.board import COLUMNS, PER_COLUMN

        async with request.app.state.pool.acquire() as conn:
            body = [await _column(conn, queue, modality, PER_COLUMN)
                    for queue, modality, _heading in COLUMNS]
        return Response(json.dumps(body, default=str), media_type="application/json")

    return app


async def _column(conn: asyncpg.Connection, queue: str, modality: str | None,
                  limit: int) -> dict:
    extra, args = (MODALITY, (modality,)) if modality else ("", ())
    rows = await conn.fetch(LISTING.format(modality=extra), queue, limit, *args)
    counts = await conn.fetch(COUNTS.format(modality=extra.replace("$3", "$2")), queue, *args)
    return {"counts": {r["urgency"]: r["count"] for r in counts},
            "items": [dict(r) for r in rows]}
