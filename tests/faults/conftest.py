"""Fault-injection tests: real processes against real servers (see support.py)."""

from __future__ import annotations

from tests.faults.support import PRINTED


def pytest_terminal_summary(terminalreporter) -> None:
    for line in PRINTED:  # the figures stay visible when pytest captures the tests' output
        terminalreporter.write_line(line)
