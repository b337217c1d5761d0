"""One headless Chromium for the whole session; a fresh context (cookies) per person."""

import os
from pathlib import Path

import pytest

from ..conftest import require_or_skip

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
]


@pytest.fixture(scope="session")
def browser():
    require_or_skip(CHROMIUM.exists(), f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 — optional: skip if absent
    except ImportError:  # pragma: no cover - the dev extra installs it
        require_or_skip(False, "the playwright package is not installed")
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are
    # still synchronous, so Django's async-safety guard must not mistake them for async code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a new browser context: ``new_page(width=390)`` for a phone.

    Every journey also counts what the Content-Security-Policy refused and what Chromium could
    not read of the Permissions-Policy (it reports both on the console): a test fails at its
    end if anything was refused or misread."""
    contexts = []
    refused: list[str] = []

    def on_console(message) -> None:
        text = message.text
        if message.type == "error" and (
            "Content Security Policy" in text or "Permissions-Policy" in text
        ):
            refused.append(f"{message.location.get('url', '?')}: {message.text}")

    def make(width: int = 1280, height: int = 900):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", on_console)
        return page

    yield make
    for context in contexts:
        context.close()
    assert refused == [], "the policies refused or were misread:\n" + "\n".join(refused)
