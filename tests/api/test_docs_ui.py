"""Swagger UI and ReDoc render from the API's own assets, with every request to another host blocked
(a hospital network without internet)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from api import docs_ui

pytestmark = pytest.mark.integration


def test_the_assets_are_installed_by_the_bootstrap():
    missing = [name for name in docs_ui.FILES if not (docs_ui.ASSETS / name).is_file()]
    assert missing == [], "run scripts/bootstrap.sh (npm ci copies them)"


@pytest.mark.parametrize(("path", "rendered"), [("/docs", ".opblock"), ("/redoc", "[data-section-id]")])
async def test_the_docs_render_offline(browser, stack, path, rendered):
    own = urlsplit(stack.api_url).netloc
    context = await browser.new_context(base_url=stack.api_url)
    elsewhere: list[str] = []

    async def only_ours(route):
        if urlsplit(route.request.url).netloc == own or route.request.url.startswith(("data:", "blob:")):
            await route.continue_()
        else:
            elsewhere.append(route.request.url)
            await route.abort()

    await context.route("**/*", only_ours)
    tab = await context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        answer = await tab.goto(path)
        assert answer is not None and answer.status == 200
        await tab.wait_for_selector(rendered, timeout=30_000)
        assert await tab.locator(rendered).count() > 3  # the operations, not an empty shell
        assert "/v1/births" in await tab.content()
    finally:
        await context.close()
    assert elsewhere == [] and errors == []
