"""The console in a real headless Chromium: log in, find a bundle that needs a person, give the name,
watch it complete live; a role without the right does not see the action and the server refuses it.

Screenshots of the main pages go to test-artifacts/screenshots/ (git-ignored) as test artifacts.
"""

from __future__ import annotations

import pytest

from tests.api.console import cases
from tests.api.console.conftest import screenshot_path
from tests.support import creds
from tests.support.stack import ADMIN

pytestmark = pytest.mark.integration
LIVE_SWAPS = """() => { window.__kept = 'same document'; window.__liveSwaps = 0;
  document.addEventListener('htmx:afterSwap', e => {
    if (e.detail.target.id === 'live') window.__liveSwaps++; }); }"""


async def _log_in(page, username: str) -> None:
    await page.goto("/console")
    assert "/console/login" in page.url
    await page.fill("#username", username)
    await page.fill("#password", creds.PASSWORD)
    await page.click("form[action='/console/login'] button[type=submit]")
    await page.wait_for_url("**/console/worklist")


async def test_supervisor_names_a_baby_and_watches_the_bundle_complete_live(stack, page):
    user = creds.ensure_operator(stack.settings, "supervisor", "3673", "browser-supervisor")
    bid = await cases.nameless(stack)
    await page.goto("/console/login")
    await page.screenshot(path=screenshot_path("login"), full_page=True)
    await _log_in(page, user)
    assert "browser-supervisor · supervisor · kantor 3673" in await page.inner_text("header .me")

    row = page.locator(f"tr[data-bundle='{bid}']")
    assert "Bayi dipulangkan tanpa nama" in await row.inner_text()
    await page.screenshot(path=screenshot_path("worklist"), full_page=True)
    await row.locator("a").first.click()
    await page.wait_for_url(f"**/console/bundles/{bid}")
    await page.locator("#live form[data-action='name']").wait_for()
    status = page.locator(".status-line [data-status]").first
    assert await status.get_attribute("data-status") == "in_progress"

    # The KK reissue waits a few seconds once, so the page is seen in progress and then moving.
    fault = await stack.http.post(f"{stack.dukcapil_url}/admin/faults", headers=ADMIN, json={
        "id": "console-browser-kk", "endpoint": "kk_reissue", "latency": 3000, "remaining": 1})
    assert fault.status_code == 201, fault.text
    await page.evaluate(LIVE_SWAPS)
    await page.fill("form[data-action='name'] input[name='name']", "Nur Aini")
    await page.click("form[data-action='name'] button[type=submit]")
    flash = page.locator("#flash")
    await flash.wait_for()
    assert "Nama dicatat" in await flash.inner_text()
    await page.locator(".status-line [data-status='completed']").wait_for(timeout=45_000)
    assert await page.evaluate("window.__kept") == "same document"  # never reloaded
    assert await page.evaluate("window.__liveSwaps") >= 1  # the event stream brought the change
    akta = page.locator("li.step[data-service='akta'] code.doc")
    assert (await akta.inner_text()).startswith("3673-LU-")
    await page.screenshot(path=screenshot_path("bundle"), full_page=True)

    await page.click("header nav a[href='/console/dashboard']")
    await page.locator("svg.chart").first.wait_for()
    assert await page.locator("svg.chart").count() >= 3  # open issues: only when there are some
    await page.screenshot(path=screenshot_path("dashboard"), full_page=True)
    await page.click("header a[hreflang='en']")
    await page.locator("html[lang='en']").wait_for()
    assert "Bundles per day" in await page.inner_text("main")


async def test_operator_is_not_offered_a_supervisors_action_and_the_server_refuses_it(stack, page):
    user = creds.ensure_operator(stack.settings, "operator", "3673", "browser-operator")
    bid = await cases.nameless(stack)
    await _log_in(page, user)
    await page.goto(f"/console/bundles/{bid}")
    await page.locator("#live form[data-action='name']").wait_for()  # an operator's own action is there
    for supervisors_only in ("close", "decision", "sptjm"):
        assert await page.locator(f"[data-action='{supervisors_only}']").count() == 0
    csrf = await page.locator("form[data-action='name'] input[name='csrf_token']").input_value()
    page.expected_errors.append("status of 403")
    answers = await page.evaluate("""async ([bid, csrf]) => {
        const form = new URLSearchParams({csrf_token: csrf, reason: 'mencoba menutup'});
        const page = await fetch(`/console/bundles/${bid}/close`, {method: 'POST', body: form});
        const api = await fetch(`/v1/births/${bid}/close`, {method: 'POST',
            body: JSON.stringify({reason: 'x-x-x'}),
            headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf}});
        return [page.status, await page.text(), api.status];
    }""", [bid, csrf])
    assert answers[0] == 403 and "tidak boleh melakukan ini" in answers[1]
    assert answers[2] == 403
    assert (await stack.get(bid))["status"] == "in_progress"


async def test_without_htmx_the_console_still_works_and_stays_live(stack, page):
    """htmx missing (npm absent at install, or blocked): whole-page forms, console.js keeps it live."""
    user = creds.ensure_operator(stack.settings, "operator", "3673", "browser-no-htmx")
    bid = await cases.nameless(stack)
    await page.route("**/console/static/vendor/**", lambda route: route.abort())
    page.expected_errors.append("net::ERR_FAILED")
    await _log_in(page, user)
    await page.goto(f"/console/bundles/{bid}")
    assert await page.evaluate("typeof window.htmx") == "undefined"
    fault = await stack.http.post(f"{stack.dukcapil_url}/admin/faults", headers=ADMIN, json={
        "id": "console-no-htmx-kk", "endpoint": "kk_reissue", "latency": 4000, "remaining": 1})
    assert fault.status_code == 201, fault.text
    await page.fill("form[data-action='name'] input[name='name']", "Nur Aini")
    async with page.expect_navigation():  # a plain form post, then the redirect back
        await page.click("form[data-action='name'] button[type=submit]")
    assert "Nama dicatat" in await page.inner_text("#flash")
    await page.evaluate("window.__kept = 'same document'")
    status = page.locator(".status-line [data-status]").first
    assert await status.get_attribute("data-status") == "in_progress"  # the KK is still being reissued
    await page.locator(".status-line [data-status='completed']").wait_for(timeout=45_000)
    assert await page.evaluate("window.__kept") == "same document"
