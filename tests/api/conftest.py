"""One headless Debian Chromium for the whole session, driven by Playwright's async API.

Never `playwright install`: the browser is the system's (scripts/test.sh installs the package).
Without it the browser tests skip, except in CI, where they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import pytest_asyncio

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
