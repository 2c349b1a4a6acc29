"""Log configuration. Log lines carry ids, never patient names, birth dates, contacts or history.

Nor patient link tokens: a link is a credential for 14 days, and an access log line such as
`GET /form?token=...` would hand it to anyone who reads the logs. The intake pages take the
token out of the URL on the first request (services/intake/auth/link_sessions.py), but the
first request itself is logged, so every handler of every logger a process configures gets
`RedactLinkTokens` as a filter: uvicorn's access and error logs, Celery's worker and task
logs, and ours.
"""

from __future__ import annotations

import logging
import re
import sys

REDACTED = "[redacted]"
# `token=` in a query string (also URL-encoded, as in a `next=` parameter), and the shape of an
# itsdangerous signed token (base64 JSON payload, timestamp, signature) wherever it appears.
_TOKEN_PARAMETER = re.compile(r"(?i)(token(?:=|%3D))[^&\s\"'#;,]+")
_SIGNED_TOKEN = re.compile(r"\beyJ[\w-]{8,}\.[\w-]{4,}\.[\w-]{16,}")
# A message template that puts an argument right after `token=` (`"...?token=%s"`).
_TOKEN_PLACEHOLDER = re.compile(r"(?i)token(?:=|%3D)%")


def redact_link_tokens(text: str) -> str:
    return _SIGNED_TOKEN.sub(REDACTED, _TOKEN_PARAMETER.sub(rf"\1{REDACTED}", text))


class RedactLinkTokens(logging.Filter):
    """Rewrites a record's message, arguments and traceback text before any formatter sees it.

    Arguments are redacted one by one, keeping their number and types, because some formatters
    unpack them (uvicorn's access formatter reads `(client, method, path, version, status)`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and _TOKEN_PLACEHOLDER.search(str(record.msg)):
            # The token is whatever argument lands there: redact the finished message.
            record.msg, record.args = redact_link_tokens(record.getMessage()), None
        elif isinstance(record.msg, str):
            record.msg = redact_link_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redacted(value) for key, value in record.args.items()}
        if record.exc_info and not record.exc_text:
            # Formatted here so the formatter reuses this text instead of the raw traceback.
            record.exc_text = redact_link_tokens(logging.Formatter().formatException(
                record.exc_info))
        return True


def _redacted(value: object) -> object:
    if isinstance(value, str):
        return redact_link_tokens(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    text = str(value)
    cleaned = redact_link_tokens(text)
    return value if cleaned == text else cleaned


_FILTER = RedactLinkTokens()


def redact_handlers(logger: logging.Logger) -> None:
    for handler in logger.handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)


def redact_every_configured_logger() -> None:
    """The root logger and every named logger that has handlers of its own (uvicorn's access
    log does not propagate to the root, so a root filter alone would miss it)."""
    redact_handlers(logging.getLogger())
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            redact_handlers(logger)


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(
        level=level,
        stream=sys.stdout,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        force=True,
    )
    redact_every_configured_logger()


def redact_celery_logs() -> None:
    """Celery sets up its own handlers when a worker or beat starts, after our modules load."""
    from celery.signals import after_setup_logger, after_setup_task_logger

    def redact(logger: logging.Logger, **_kwargs) -> None:
        redact_every_configured_logger()
        redact_handlers(logger)

    for signal in (after_setup_logger, after_setup_task_logger):
        signal.connect(redact, weak=False, dispatch_uid=f"redact-link-tokens-{signal.name}")
