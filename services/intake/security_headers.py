"""Standard protective headers on every response, and the request id that ties audit rows and
log lines to one request without putting patient data in logs."""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The interactive API docs load their script and style from a CDN; every other page is ours.
DOCS_PATHS = ("/docs", "/redoc", "/docs/oauth2-redirect")
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
PROTECTIVE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Patient links carry their token in the URL: never leak it to another site.
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cache-Control": "no-store",
}
HSTS = "max-age=31536000; includeSubDomains"
# What a client's X-Request-ID may be: it is stored with audit events (64 characters) and
# written to logs, so anything longer or stranger is replaced by an id of our own.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_of(headers: Headers) -> str:
    given = headers.get("x-request-id", "")
    return given if SAFE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


class SecurityHeaders:
    """Sets request.state.request_id (the client's X-Request-ID when it is a safe one, else a
    new one) and adds the headers to the response. Plain ASGI: see
    services/intake/input_guard.py."""

    def __init__(self, app: ASGIApp, *, production: bool):
        self.app = app
        self.headers = {**PROTECTIVE_HEADERS, **({"Strict-Transport-Security": HSTS}
                                                 if production else {})}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request_id = request_id_of(Headers(scope=scope))
        scope.setdefault("state", {})["request_id"] = request_id
        csp = scope["path"] not in DOCS_PATHS

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
                if csp:
                    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                headers["X-Request-ID"] = request_id
            await send(message)

        await self.app(scope, receive, with_headers)
