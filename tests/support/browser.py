"""One headless Debian Chromium for the whole session, driven by Playwright's async API, and a
console tab logged in on it.

Never `playwright install`: the browser is the system's (scripts/test.sh installs the package).
Without it the browser tests skip, except in CI, where they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import pytest_asyncio

from tests.support import creds

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest_asyncio.fixture(scope="session")
async def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} missing: apt-get install -y chromium (scripts/test.sh does)"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    from playwright.async_api import async_playwright

    playwright = await async_playwright().start()
    chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
    yield chromium
    await chromium.close()
    await playwright.stop()


async def log_in(page, base: str, username: str) -> None:
    """Log `page` in to the console at `base` (a test account, creds.PASSWORD); lands on the worklist."""
    await page.goto(f"{base}/console/login")
    await page.fill("#username", username)
    await page.fill("#password", creds.PASSWORD)
    await page.click("form[action='/console/login'] button[type=submit]")
    await page.wait_for_url("**/console/worklist")
