"""The architecture checks itself: the import contracts (pyproject.toml's importlinter), dead
code (vulture, with vulture_whitelist.py) and ruff run with the tests, so CI fails on them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.mark.parametrize("command", [["lint-imports"], ["vulture"], ["ruff", "check", "."]],
                         ids=lambda command: command[0])
def test_the_code_keeps_its_import_contracts_has_no_dead_code_and_lints_clean(command):
    result = subprocess.run([str(BIN / command[0]), *command[1:]], cwd=REPO_ROOT,
                            capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


MAX_MODULE_LINES = 300


def test_no_module_of_the_product_is_over_300_lines():
    """Small modules named after what they hold (issue 16): a module past 300 lines holds more
    than one thing and is split by what it holds."""
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=REPO_ROOT, capture_output=True,
                             text=True, check=True).stdout.split()
    product = [path for path in tracked if not path.startswith("tests/")]
    assert len(product) > 100  # the product's modules were found
    too_long = {path: lines for path in product
                if (lines := len((REPO_ROOT / path).read_text().splitlines())) > MAX_MODULE_LINES}
    assert not too_long
