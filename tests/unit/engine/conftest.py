"""Counts the generated cases each engine property checked, printed at the end of the run
(the issue asks CI to show them: a property that silently ran ten cases proves little)."""

from __future__ import annotations

from collections import Counter

_CHECKED: Counter[str] = Counter()


def count_example(principle: str) -> None:
    _CHECKED[principle] += 1


def pytest_terminal_summary(terminalreporter) -> None:
    if not _CHECKED:
        return
    terminalreporter.section("engine properties: generated cases checked")
    for principle, checked in sorted(_CHECKED.items()):
        terminalreporter.write_line(f"{checked:>7,}  {principle}")
