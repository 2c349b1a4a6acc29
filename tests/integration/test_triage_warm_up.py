"""A new triage pool process warms up against the real database, and shrugs off its absence."""

from __future__ import annotations

import logging

import pytest

from services.triage.warm_up import warm_up
from shared.db import make_sync_engine
from shared.settings import Settings

pytestmark = pytest.mark.integration


def test_warming_up_connects_and_leaves_nothing_behind(engine):
    assert warm_up(lambda: engine) is True
    assert engine.pool.checkedout() == 0  # the connection went back to the pool


def test_a_database_that_is_away_skips_the_warm_up_with_a_warning(caplog, redis_url):
    away = make_sync_engine(Settings(DATABASE_URL="postgresql://clinic@127.0.0.1:9/none",
                                     REDIS_URL=redis_url), connect_args={"connect_timeout": 2})
    with caplog.at_level(logging.WARNING, logger="triage.warm_up"):
        assert warm_up(lambda: away) is False
    assert "warm-up skipped (OperationalError)" in caplog.text
