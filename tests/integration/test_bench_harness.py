"""`clinic bench --quick`: the whole harness at tiny sizes, so the bench command does not rot.

It checks that every figure is measured beside its baseline and reported; it asserts nothing
about speed (the machine is shared, and speed is what the bench itself reports)."""

from __future__ import annotations

import json

import pytest

from bench.context import Sizes
from bench.report import figures
from bench.run import run_bench

# Not 'integration': the harness needs to work, not to be run against every server pair.
pytestmark = pytest.mark.bench

SPARE_REDIS_DB = "14"


@pytest.fixture
def bench_servers_env(monkeypatch, postgres_server_url, redis_server_url):
    """The bench makes (and drops) its own database on the test server, and uses a spare,
    empty Redis database."""
    monkeypatch.setenv("DATABASE_URL", postgres_server_url)
    monkeypatch.setenv("REDIS_URL", redis_server_url)
    monkeypatch.setenv("BENCH_REDIS_DB", SPARE_REDIS_DB)


def test_a_quick_bench_measures_every_figure_beside_its_baseline_and_writes_the_report(
        bench_servers_env, tmp_path):
    printed: list[str] = []

    results = run_bench(Sizes.quick(), tmp_path, say=printed.append)

    shown = figures(results)
    assert len(shown) == 6
    assert all(figure.ratio > 0 for figure in shown)
    assert results["triage"]["latency"]["product"]["visible"] == \
        results["triage"]["latency"]["product"]["sent"]
    assert results["reminders"]["product"]["sent"] == Sizes.quick().reminders
    plans = results["growth"][0]["plans"]
    assert {p["query"] for p in plans} == {"queue listing (rows)", "queue listing (counts)",
                                           "follow-up claim", "outbox claim"}
    assert all(p["plan"] for p in plans)
    (written,) = tmp_path.glob("bench-*.json")
    assert json.loads(written.read_text())["figures"][0]["name"] == shown[0].name
    assert list(tmp_path.glob("bench-*.png"))
    table = printed[-2]
    assert all(figure.name in table for figure in shown)
    assert "EXPLAIN (ANALYZE, BUFFERS)" in table
