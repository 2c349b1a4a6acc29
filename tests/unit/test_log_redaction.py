"""No log line carries a patient link token: uvicorn's access log (which does not propagate to
the root logger), Celery's worker logs and ours all pass through the redacting filter."""

from __future__ import annotations

import io
import logging
import logging.config

import pytest
from uvicorn.config import LOGGING_CONFIG

from shared.logging import configure_logging
from shared.messaging import make_celery
from shared.settings import Settings

TOKEN = "eyJwIjoiMWIyYzNkNGUtMDAwMCIsInUiOiJpbnRha2UifQ.Z2xkXw.q7Vh2xkX0bRfMbq2Y3Jd-Ab_cDe"


@pytest.fixture
def restore_logging():
    """These tests configure logging as a process would; put the test run's back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "celery.test"):
        logging.getLogger(name).handlers.clear()


def capture(logger: logging.Logger) -> io.StringIO:
    stream = io.StringIO()
    for handler in logger.handlers:
        handler.setStream(stream)
    return stream


def test_uvicorn_access_lines_name_the_path_but_not_the_token(restore_logging):
    logging.config.dictConfig(LOGGING_CONFIG)  # what uvicorn does before it loads the app
    configure_logging()  # what the API's lifespan does
    access = logging.getLogger("uvicorn.access")
    stream = capture(access)

    access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET",
                f"/form?token={TOKEN}&lang=es", "1.1", 303)

    line = stream.getvalue()
    assert '"GET /form?token=[redacted]&lang=es HTTP/1.1" 303' in line
    assert TOKEN not in line


def test_our_log_lines_and_their_tracebacks_hide_tokens_however_they_appear(restore_logging):
    configure_logging()
    stream = capture(logging.getLogger())
    log = logging.getLogger("services.intake.test")

    log.warning("link %s refused", TOKEN)
    log.warning("opened %(url)s", {"url": f"https://clinic.example/check-in?token={TOKEN}"})
    try:
        raise ValueError(f"bad link in next=/form%3Ftoken%3D{TOKEN}")
    except ValueError:
        log.exception("could not open the page")

    text = stream.getvalue()
    assert TOKEN not in text
    assert "link [redacted] refused" in text and "check-in?token=[redacted]" in text
    assert "ValueError: bad link in next=/form%3Ftoken%3D[redacted]" in text


def test_celery_worker_handlers_set_up_after_start_are_redacted(restore_logging):
    make_celery("triage", Settings(env="test", secret_key="unit-test-secret"))
    logger = logging.getLogger("celery.test")
    logger.propagate = False
    stream = io.StringIO()
    logger.addHandler(logging.StreamHandler(stream))
    from celery.signals import after_setup_logger  # sent by Celery once it built its handlers

    after_setup_logger.send(sender=None, logger=logger, loglevel=logging.INFO, logfile=None,
                            format="%(message)s", colorize=False)
    logger.warning("delivered https://clinic.example/opt-out?token=%s", TOKEN)

    assert stream.getvalue().strip() == "delivered https://clinic.example/opt-out?token=[redacted]"


def test_redacting_twice_is_harmless():
    from shared.logging import redact_celery_logs

    redact_celery_logs()
    redact_celery_logs()  # one receiver per signal, however often workers are built
    from celery.signals import after_setup_logger

    receivers = [r for r in after_setup_logger.receivers if "redact-link-tokens" in str(r[0])]
    assert len(receivers) == 1
