"""Domain errors carry their meaning; one handler maps them to HTTP answers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class DomainError(Exception):
    status_code = 400
    error_type = "error"

    def __init__(self, message: str, *, field: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}

    def body(self) -> dict:
        error = {"type": self.error_type, "msg": self.message}
        if self.field:
            error["loc"] = self.field.split(".")
        return {"detail": [error], **self.extra}


class NotFound(DomainError):
    status_code = 404
    error_type = "not_found"


class InvalidReference(DomainError):
    """A body field names a record that does not exist."""

    status_code = 422
    error_type = "invalid_reference"


class Conflict(DomainError):
    status_code = 409
    error_type = "conflict"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(status_code=exc.status_code, content=exc.body())
