"""Percentiles of a list of latencies (in seconds), reported in milliseconds; medians over
the rounds of one measurement."""

from __future__ import annotations

import statistics
from typing import Any


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted or unsorted `values`; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def summary(latencies: list[float]) -> dict[str, float]:
    return {"count": len(latencies),
            "p50_ms": percentile(latencies, 0.50) * 1000,
            "p90_ms": percentile(latencies, 0.90) * 1000,
            "p99_ms": percentile(latencies, 0.99) * 1000,
            "max_ms": max(latencies, default=0.0) * 1000}


def median_of(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Each number's median over `rounds` (results of the same shape; nested dicts likewise,
    anything else as in the first round). Rounds alternate product and baseline, so a burst
    of load from elsewhere on the machine moves one round of one side, not the figure."""
    merged: dict[str, Any] = {}
    for key, first in rounds[0].items():
        values = [result[key] for result in rounds]
        if isinstance(first, dict):
            merged[key] = median_of(values)
        elif isinstance(first, int | float) and not isinstance(first, bool):
            merged[key] = statistics.median(values)
        else:
            merged[key] = first
    return merged
