"""The rule engine's CPU time per case, to set beside a triaged case's time (bench/report.py:
the engine is to take at most 5% of it).

Run: .venv/bin/python -m bench.engine [--cases N] [--repeat R] (best of R runs).
"""

from __future__ import annotations

import argparse
import time

from bench.cases import generate
from services.triage.engine import evaluate


def _seconds(cases: list) -> float:
    # CPU time of this process: on a shared machine, time spent descheduled while other
    # processes run is not charged to the engine.
    start = time.process_time()
    for case in cases:
        evaluate(case)
    return time.process_time() - start


def measure(count: int = 5000, repeat: int = 7) -> dict:
    """Cases per second of CPU, best of `repeat` runs over the same generated cases."""
    cases = generate(count)
    best = min(_seconds(cases) for _ in range(repeat))
    return {"product": {"rate": count / best, "per_case_us": best / count * 1e6}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)
    product = measure(args.cases, args.repeat)["product"]
    print(f"engine: {product['rate']:,.0f} cases/s of CPU, {product['per_case_us']:.0f} µs a case")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
