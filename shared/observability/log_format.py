"""Log lines: one JSON object a line (CLINIC_LOG_FORMAT=json), or the human-readable line
`clinic run` prints by default.

A JSON line holds `time` (UTC, ISO 8601), `level`, `service`, `logger`, `message`, the
`request_id` of the API request being handled, and the `trace_id` and `span_id` of the current
span (shared/observability/tracing.py), plus `exception` when there is one. Nothing else of
the record is copied: a message carries ids only (shared/logging.py), and the redaction filter
on every handler has rewritten it, its arguments and its traceback before any formatter runs.
The standard library's formatter, no structlog: every library here (uvicorn, Celery, kombu)
logs through the standard library, and the formatter is what reaches their handlers too.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

from opentelemetry import trace

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": REQUEST_ID.get(),
            **current_trace_ids(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False, default=str)


def current_trace_ids() -> dict[str, str | None]:
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return {"trace_id": None, "span_id": None}
    return {"trace_id": format(context.trace_id, "032x"),
            "span_id": format(context.span_id, "016x")}


def apply(service: str, log_format: str) -> None:
    """Gives every handler of every configured logger (uvicorn's and Celery's included) the
    JSON formatter when `log_format` is "json"; the text formats stay as they are."""
    if log_format != "json":
        return
    formatter = JsonFormatter(service)
    loggers = [logging.getLogger(), *(logger for logger in
                                      list(logging.Logger.manager.loggerDict.values())
                                      if isinstance(logger, logging.Logger))]
    for logger in loggers:
        for handler in logger.handlers:
            handler.setFormatter(formatter)
