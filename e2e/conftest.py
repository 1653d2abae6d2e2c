"""Browser fixtures: one headless Debian Chromium per test module, a fresh context per test.

The browser is the system's (/usr/bin/chromium); Playwright's own downloads are never used.
When Chromium cannot start for reasons of the machine (missing binary, sandbox, libraries),
the browser tests are skipped locally and fail on CI (CI=true), where they must run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # A fake camera that grants itself (the photo capture page).
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]
TIMEOUT_MS = 10_000
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

TABLET = {"width": 1024, "height": 768}
PHONE = {"width": 390, "height": 844}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"Chromium is required on CI but unavailable: {reason}", pytrace=False)
    pytest.skip(f"Chromium unavailable, browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} does not exist")
    playwright = sync_playwright().start()
    try:
        try:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, timeout=30_000
            )
        except Error as exc:
            _unavailable(f"launching {CHROMIUM} failed: {exc.message.splitlines()[0]}")
        yield browser
        browser.close()
    finally:
        playwright.stop()


@dataclass
class BrowserPage:
    """A page in its own context, with the console errors and page errors it has seen."""

    page: Page
    console_errors: list[str] = field(default_factory=list)

    def record(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            location = message.location
            self.console_errors.append(
                f"{message.text} ({location.get('url', '?')}:{location.get('lineNumber', '?')})"
            )


@pytest.fixture
def open_page(
    browser: Browser, live_server, artifacts: Path
) -> Iterator[Callable[..., BrowserPage]]:
    """Open a page on the live server at a given viewport; its context closes afterwards.

    The database cache (used TOTP codes, allauth's rate limits) is a plain table, not a
    model, so the flush between transactional tests leaves it alone: clear it so each
    test starts from an empty cache as it starts from an empty database."""
    cache.clear()
    contexts = []

    def _open(viewport: dict[str, int] = TABLET) -> BrowserPage:
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        result = BrowserPage(page)
        page.on("console", result.record)
        page.on("pageerror", lambda exc: result.console_errors.append(f"uncaught: {exc}"))
        return result

    yield _open
    for context in contexts:
        context.close()
