"""Domain errors carry their meaning; one handler maps them to HTTP answers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as db

# PostgreSQL not answering, as the drivers say it: SQLAlchemy's wrapping of a lost or refused
# connection (and of an exhausted pool), or asyncpg's own error when it cannot connect at all
# (a refused TCP port, a missing unix socket: OSError, which SQLAlchemy does not wrap). The
# API touches no other server that raises these (Redis raises its own errors).
DATABASE_UNAVAILABLE = (db.OperationalError, db.InterfaceError, db.TimeoutError, OSError)
# Long enough for a PostgreSQL restart, short enough that a patient retrying is not kept waiting.
RETRY_AFTER_SECONDS = 5

# A location names a field; an unknown field's name is the client's own text, so it is cut.
LONGEST_LOCATION_PART = 64


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


def violated(clash: db.IntegrityError) -> str | None:
    """The name of the constraint a statement broke (asyncpg's error, under SQLAlchemy's)."""
    return getattr(clash.orig.__cause__, "constraint_name", None)


def is_foreign_key_violation(clash: db.IntegrityError) -> bool:
    return getattr(clash.orig, "sqlstate", None) == "23503"


def validation_problems(errors) -> list[dict]:
    """Each problem's field (loc), kind (type) and reason (msg), never the submitted value:
    FastAPI's own 422 repeats the input, and it echoed a password and a 200 MB body back."""
    return [{"type": error["type"], "loc": [_location_part(part) for part in error["loc"]],
             "msg": error["msg"]} for error in errors]


def _location_part(part: str | int) -> str | int:
    if isinstance(part, str) and len(part) > LONGEST_LOCATION_PART:
        return part[:LONGEST_LOCATION_PART] + "…"
    return part


def unavailable_response() -> JSONResponse:
    return JSONResponse(status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                        content={"detail": [{
                            "type": "service_unavailable",
                            "msg": "The clinic's records are not answering. Send the request "
                                   "again in a moment (with the same Idempotency-Key)."}]})


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(status_code=exc.status_code, content=exc.body())

    # API routes and pages alike: a page's bad path or query parameter answers this too.
    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422,
                            content={"detail": validation_problems(exc.errors())})

    # A write (or read) while PostgreSQL is away is 503 with Retry-After, not 500: the client
    # may send the same request again (an Idempotency-Key makes that safe). Pages answer a page
    # (services/intake/pages/__init__.py replaces this handler for them).
    for error in DATABASE_UNAVAILABLE:
        app.add_exception_handler(error, _database_unavailable)


async def _database_unavailable(_request: Request, _exc: Exception) -> JSONResponse:
    return unavailable_response()
