from datetime import timedelta

from shared import clock
from shared.settings import get_settings


def test_the_configured_offset_moves_every_services_now(monkeypatch):
    get_settings.cache_clear()
    monkeypatch.setenv("CLINIC_CLOCK_OFFSET_SECONDS", str(timedelta(days=8).total_seconds()))
    try:
        shifted = clock.utcnow()
        monkeypatch.delenv("CLINIC_CLOCK_OFFSET_SECONDS")
        get_settings.cache_clear()
        assert shifted - clock.utcnow() > timedelta(days=7, hours=23)
    finally:
        get_settings.cache_clear()
