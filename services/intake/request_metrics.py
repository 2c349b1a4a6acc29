"""Counts and times every HTTP request by method, route template and status, and makes the
request id known to the log lines written while it is handled (shared/observability/
log_format.py). Plain ASGI, inside SecurityHeaders (which chooses the request id).

The route is the template FastAPI matched (`/cases/{case_id}`), never the path: a path holds
ids, and a label per id would grow without end. A request no route matched is `unmatched`.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.observability.log_format import REQUEST_ID
from shared.observability.metrics import HTTP_DURATION, HTTP_REQUESTS

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Scrapes and probes every few seconds would drown the requests people make.
NOT_COUNTED = frozenset({"/metrics", "/health/live", "/health/ready"})


class RequestMetrics:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        token = REQUEST_ID.set(scope.get("state", {}).get("request_id"))
        started = time.perf_counter()
        status = 500  # an exception before the answer started

        async def recording(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording)
        finally:
            REQUEST_ID.reset(token)
            route = route_template(scope)
            if route not in NOT_COUNTED:
                method = scope["method"] if scope["method"] in METHODS else "OTHER"
                HTTP_REQUESTS.labels(method, route, str(status)).inc()
                HTTP_DURATION.labels(method, route).observe(time.perf_counter() - started)


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    return getattr(route, "path", None) or "unmatched"
