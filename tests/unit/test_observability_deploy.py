"""The alert rules and the Grafana dashboard under deploy/ ask only for metrics the code
exports (promtool is not available: the rules file is parsed and each expression's metric
names are checked against the metrics shared/observability defines), and the alerts the
operators asked for are all there."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from prometheus_client import Counter, Histogram

from shared.observability import metrics
from shared.observability.database_metrics import Snapshot, SnapshotCollector

REPO_ROOT = Path(__file__).resolve().parents[2]
RULES = yaml.safe_load((REPO_ROOT / "deploy/prometheus/alerts.yaml").read_text())
DASHBOARD = json.loads((REPO_ROOT / "deploy/grafana/clinic-dashboard.json").read_text())
METRIC_NAME = re.compile(r"\bclinic_[a-z0-9_]+\b")


def exported_series() -> set[str]:
    """Every series name /metrics can show: the process metrics with their suffixes, and the
    gauges read at scrape (from a snapshot with every part present)."""
    names: set[str] = set()
    for value in vars(metrics).values():
        if isinstance(value, Counter):
            names.add(f"{value._name}_total")
        elif isinstance(value, Histogram):
            names.update(f"{value._name}{suffix}" for suffix in ("_bucket", "_count", "_sum"))
    full = Snapshot(database_up=True, redis_up=True, cases={"routed": 1.0},
                    queues=[("physio", "routine", 1.0, 2.0, 0.0)], dead_letters={"t": 1.0},
                    live_processes={"triage": 1.0})
    names.update(family.name for family in SnapshotCollector(full).collect())
    return names


def rules() -> list[dict]:
    return [rule for group in RULES["groups"] for rule in group["rules"]]


def dashboard_expressions() -> list[str]:
    return [target["expr"] for panel in DASHBOARD["panels"] for target in panel["targets"]]


def balanced(expression: str) -> bool:
    depth = 0
    for character in expression:
        depth += {"(": 1, ")": -1, "[": 1, "]": -1, "{": 1, "}": -1}.get(character, 0)
        if depth < 0:
            return False
    return depth == 0


def test_the_names_exported_follow_prometheus_conventions():
    for name in exported_series():
        assert re.fullmatch(r"clinic_[a-z0-9_]+", name)
    counters = [v for v in vars(metrics).values() if isinstance(v, Counter)]
    histograms = [v for v in vars(metrics).values() if isinstance(v, Histogram)]
    assert counters and histograms
    assert all(h._name.endswith("_seconds") for h in histograms)  # the unit in the name


@pytest.mark.parametrize("rule", rules(), ids=lambda rule: rule["alert"])
def test_each_alert_rule_is_well_formed_and_names_only_exported_metrics(rule):
    assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}
    assert rule["labels"]["severity"] in ("page", "warning")
    assert rule["annotations"]["summary"]
    assert balanced(rule["expr"])
    if "for" in rule:
        assert re.fullmatch(r"\d+[smh]", rule["for"])
    named = set(METRIC_NAME.findall(rule["expr"]))
    assert named, "an alert on no metric of ours"
    assert named <= exported_series(), named - exported_series()


def test_the_alerts_cover_what_the_operators_asked_for():
    expressions = {rule["alert"]: rule["expr"] for rule in rules()}
    assert "clinic_queue_breaches" in expressions["ClinicQueueBreach"]
    assert re.search(r"clinic_outbox_oldest_unpublished_age_seconds\) > 60\b",
                     expressions["ClinicOutboxBacklogOld"])
    assert 'clinic_live_processes{kind="triage"}' in expressions["ClinicNoLiveTriageWorker"]
    assert "absent(" in expressions["ClinicNoLiveTriageWorker"]
    assert "clinic_reminders_failed_total" in expressions["ClinicFailedDeliveriesRising"]
    assert "clinic_dead_letters" in expressions["ClinicDeadLetters"]
    assert len(expressions) == len(rules())  # no alert name used twice


def test_the_dashboard_shows_every_metric_and_only_exported_ones():
    named = {name for expression in dashboard_expressions()
             for name in METRIC_NAME.findall(expression)}
    assert all(balanced(expression) for expression in dashboard_expressions())
    assert named <= exported_series(), named - exported_series()
    shown_families = {re.sub(r"_(bucket|count|sum|total)$", "", name) for name in named}
    exported_families = {re.sub(r"_(bucket|count|sum|total)$", "", name)
                         for name in exported_series()}
    assert exported_families <= shown_families, exported_families - shown_families
    assert len({panel["id"] for panel in DASHBOARD["panels"]}) == len(DASHBOARD["panels"])
