"""Percentiles of a list of latencies (in seconds), reported in milliseconds."""

from __future__ import annotations


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
