"""`GET /metrics`: Prometheus metrics, for a scraper holding the metrics token.

`Authorization: Bearer <CLINIC_METRICS_TOKEN>` (Prometheus: `authorization: {credentials: ...}`
in the scrape config); anything else, or no token configured, answers 401. The answer adds up
every process's samples (shared/observability/metrics.py) and the gauges read from PostgreSQL
and Redis now (shared/observability/database_metrics.py). Kept out of the OpenAPI document:
it is for the operators' scraper, not the API's clients.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from shared.clock import utcnow
from shared.observability import database_metrics, metrics

router = APIRouter(include_in_schema=False)


@router.get("/metrics")
async def scrape(request: Request) -> Response:
    if not metrics.scraper_allowed(request.headers.get("authorization", ""),
                                   request.app.state.settings.metrics_token):
        return Response(status_code=status.HTTP_401_UNAUTHORIZED,
                        headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    state = request.app.state
    snapshot = await database_metrics.read_snapshot(state.engine, state.redis, utcnow())
    body = metrics.render([database_metrics.SnapshotCollector(snapshot)])
    return Response(body, media_type=metrics.CONTENT_TYPE,
                    headers={"Cache-Control": "no-store"})

