"""`GET /metrics`: Prometheus metrics, for a scraper holding the metrics token.

`Authorization: Bearer <CLINIC_METRICS_TOKEN>` (Prometheus: `authorization: {credentials: ...}`
in the scrape config); anything else, or no token configured, answers 401. The answer adds up
every process's samples (shared/observability/metrics.py) and the gauges read from PostgreSQL
and Redis now (shared/observability/database_metrics.py). Kept out of the OpenAPI document:
it is for the operators' scraper, not the API's clients.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response, status

from shared.clock import utcnow
from shared.observability import database_metrics, metrics

router = APIRouter(include_in_schema=False)


@router.get("/metrics")
async def scrape(request: Request) -> Response:
    if not _authorised(request):
        return Response(status_code=status.HTTP_401_UNAUTHORIZED,
                        headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    state = request.app.state
    snapshot = await database_metrics.read_snapshot(state.engine, state.redis, utcnow())
    body = metrics.render([database_metrics.SnapshotCollector(snapshot)])
    return Response(body, media_type=metrics.CONTENT_TYPE,
                    headers={"Cache-Control": "no-store"})


def _authorised(request: Request) -> bool:
    expected = request.app.state.settings.metrics_token
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return bool(expected) and scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), expected.encode())
