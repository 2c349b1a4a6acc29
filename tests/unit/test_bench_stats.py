"""Medians over the rounds of a bench measurement."""

from __future__ import annotations

from bench.stats import median_of


def test_each_number_is_its_median_over_the_rounds_nested_ones_too():
    rounds = [{"rate": 100.0, "p50_ms": 9.0, "answer": {"p50_ms": 4.0}, "mode": "open"},
              {"rate": 300.0, "p50_ms": 1.0, "answer": {"p50_ms": 2.0}, "mode": "open"},
              {"rate": 200.0, "p50_ms": 5.0, "answer": {"p50_ms": 3.0}, "mode": "open"}]

    merged = median_of(rounds)

    assert merged == {"rate": 200.0, "p50_ms": 5.0, "answer": {"p50_ms": 3.0}, "mode": "open"}


def test_one_round_is_itself():
    only = {"rate": 42.0, "statuses": {"201": 7}}
    assert median_of([only]) == only
