"""Refuses text PostgreSQL could not store (a NUL character) in a request's body or query,
before any handler sees it: unchecked, such a value reached a query and answered 500."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from services.intake.asgi_body import read_body, replaying
from services.intake.fhir.outcomes import Issue, outcome_response

# PostgreSQL text and jsonb cannot hold NUL.
NUL_MARKERS = (b"\x00", b"\\u0000")
BODY_METHODS = {"POST", "PUT", "PATCH"}
MESSAGE = "text must not contain NUL (\\u0000) characters"
# A parameter is named in the answer only when its name is one an API could have (never an
# echo of arbitrary input).
NAMEABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]{0,63}")


class InputGuard:
    """Plain ASGI, like every middleware here: Starlette's BaseHTTPMiddleware runs each
    request in a task group of its own, which cost the intake API a tenth of its time (bench
    profile)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        query = scope.get("query_string", b"")
        if b"%00" in query or b"\x00" in query:
            return await _refusal(scope["path"], "query", _parameter_with_nul(query))(
                scope, receive, send)
        if scope["method"] not in BODY_METHODS:
            return await self.app(scope, receive, send)
        body = await read_body(receive)
        if any(marker in body for marker in NUL_MARKERS):
            return await _refusal(scope["path"], "body")(scope, receive, send)
        await self.app(scope, replaying(body, receive), send)


def _parameter_with_nul(query: bytes) -> str | None:
    for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return name if NAMEABLE.fullmatch(name) else None
    return None


def _refusal(path: str, where: str, name: str | None = None) -> Response:
    """422 naming where the NUL was, or under /fhir the OperationOutcome a FHIR client reads."""
    if path == "/fhir" or path.startswith("/fhir/"):
        return outcome_response(400, [Issue(f"{name or where}: {MESSAGE}", expression=name)])
    return JSONResponse(status_code=422, content={"detail": [{
        "type": "value_error", "loc": [where, name] if name else [where], "msg": MESSAGE}]})
