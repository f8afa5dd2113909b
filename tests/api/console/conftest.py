"""The console's browser pages (the browser itself: tests/api/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest_asyncio

SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"


@pytest_asyncio.fixture
async def page(browser, stack):
    """A fresh browser profile (no cookies) per test; page errors and CSP violations fail the test."""
    context = await browser.new_context(base_url=stack.api_url, locale="id-ID",
                                        viewport={"width": 1280, "height": 900})
    tab = await context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    tab.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status == 404 else None)
    tab.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
           if msg.type == "error" else None)
    tab.expected_errors = []  # a test that provokes refusals lists them here
    yield tab
    await context.close()
    assert [p for p in problems if not any(e in p for e in tab.expected_errors)] == []


def screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
