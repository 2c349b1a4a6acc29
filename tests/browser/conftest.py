"""Browser tests: headless Debian Chromium (installed here when missing) driven by Playwright,
against the real processes started as in the end-to-end tests."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.conftest import log_format, system  # noqa: F401  (the real processes, as in tests/e2e)
from tests.install_lock import installing

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's Chromium (`playwright install` cannot download here): installed with apt when
    missing, and a clear failure when that is impossible, never a skip."""
    with installing("chromium"):
        return _installed_chromium()


def _installed_chromium() -> Path:
    if not CHROMIUM.exists():
        steps = (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"])
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, check=False,
                                  env={"DEBIAN_FRONTEND": "noninteractive",
                                       "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
            if done.returncode != 0:
                pytest.fail(f"the browser tests need Chromium at {CHROMIUM}; `{' '.join(step)}` "
                            f"failed ({done.returncode}):\n{done.stderr[-2000:]}")
    if not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None:
        pytest.fail(f"apt-get installed chromium but {CHROMIUM} is not there")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium_path: Path) -> Iterator[Browser]:
    # Module scope: Playwright's sync API runs an event loop on the main thread while it is
    # open, and later tests that start their own loop (asyncio.run) must not find it.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path), headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take
