"""The one place that answers "what time is it", so tests can move every service's clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.settings import get_settings


def utcnow() -> datetime:
    offset = timedelta(seconds=get_settings().clock_offset_seconds)
    return datetime.now(UTC) + offset
