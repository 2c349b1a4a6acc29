"""Refuses request bodies over the configured size with 413 before they are read.

A declared Content-Length over the limit is refused before a byte of the body is taken; a body
without one (chunked) is counted as it arrives, and the first chunk past the limit stops it.
Either way the body never sits whole in memory, signed in or not (an unauthenticated 200 MB
body grew the API by 800 MB before this).
"""

from __future__ import annotations

from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.intake.digits import is_ascii_number

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class BodyTooLarge(HTTPException):
    """Raised by the counting receive. An HTTPException, so that a route reading the body
    itself also answers 413 (FastAPI re-raises these from body parsing); anywhere else the
    middleware below turns it into the answer."""

    def __init__(self, limit: int):
        super().__init__(status_code=413, detail=[{
            "type": "too_large", "loc": ["body"],
            "msg": f"the request body must not exceed {limit} bytes"}])


class BodyLimit:
    """Plain ASGI: see services/intake/input_guard.py."""

    def __init__(self, app: ASGIApp, *, json_bytes: int, form_bytes: int):
        self.app = app
        self.json_bytes = json_bytes
        self.form_bytes = form_bytes

    def limit_for(self, headers: Headers) -> int:
        content_type = headers.get("content-type", "").lower()
        return self.form_bytes if content_type.startswith(FORM_TYPES) else self.json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = Headers(scope=scope)
        limit = self.limit_for(headers)
        declared = headers.get("content-length", "")
        if is_ascii_number(declared) and int(declared) > limit:
            return await _refusal(BodyTooLarge(limit))(scope, receive, send)

        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge as refused:
            if started:  # an answer is under way; nothing sensible can follow it
                raise
            await _refusal(refused)(scope, receive, send)


def _refusal(refused: BodyTooLarge) -> JSONResponse:
    # The connection stays open: uvicorn discards the rest of the body once the answer is
    # complete, and a client still sending would lose the answer to a reset if it closed.
    return JSONResponse(status_code=413, content={"detail": refused.detail})
