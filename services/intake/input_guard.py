"""Refuses request bodies PostgreSQL could not store, before any handler sees them."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

# PostgreSQL text and jsonb cannot hold NUL; without this check such a body is a 500.
NUL_MARKERS = (b"\x00", b"\\u0000")
BODY_METHODS = {"POST", "PUT", "PATCH"}


def install_input_guard(app: FastAPI) -> None:
    @app.middleware("http")
    async def refuse_nul_characters(request: Request, call_next):
        if request.method in BODY_METHODS:
            body = await request.body()
            if any(marker in body for marker in NUL_MARKERS):
                return JSONResponse(status_code=422, content={"detail": [{
                    "type": "value_error", "loc": ["body"],
                    "msg": "text must not contain NUL (\\u0000) characters"}]})
        return await call_next(request)
