"""The console in Chromium at phone, tablet, laptop and wide-screen widths, and its forms' browser checks.

At 360, 768, 1280 and 1920 px no page (worklist, all bundles, dashboard, a bundle, the audit view,
the admin page) is wider than the window and no link, button or field lies outside it. Screenshots
of each go to test-artifacts/screenshots/ (git-ignored) as test artifacts.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from api.console.web import REF_PATTERN
from tests.api.console import cases
from tests.api.console.conftest import screenshot_path
from tests.support import creds, payloads
from tests.support.stack import svc

pytestmark = pytest.mark.integration
WIDTHS = (360, 768, 1280, 1920)
# Whatever a person can act on: off-screen (left or right of the window) it cannot be used on a phone.
OUTSIDE = """() => {
  const width = window.innerWidth;
  const out = [];
  for (const el of document.querySelectorAll('a, button, input, select, summary, textarea')) {
    if (el.classList.contains('skip') || el.type === 'hidden') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not shown (a closed <details>)
    if (r.left < -0.5 || r.right > width + 0.5) {
      out.push(`${el.outerHTML.slice(0, 90)} ${r.left}-${r.right}`);
    }
  }
  return {scroll: document.documentElement.scrollWidth, width, out};
}"""
PATTERNS = """() => [...document.querySelectorAll('input[pattern]')].map(el => {
  try { new RegExp(el.pattern, 'v'); return null; } catch (e) { return `${el.name}: ${e}`; } })
  .filter(Boolean)"""


async def _log_in(page, username: str) -> None:
    await page.goto("/console/login")
    await page.fill("#username", username)
    await page.fill("#password", creds.PASSWORD)
    async with page.expect_navigation():
        await page.click("form[action='/console/login'] button[type=submit]")


async def _check_widths(page, name: str, url: str) -> list:
    wrong = []
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 900})
        await page.goto(url)
        seen = await page.evaluate(OUTSIDE)
        if seen["scroll"] > seen["width"] or seen["out"]:
            wrong.append((name, width, seen))
        assert await page.evaluate(PATTERNS) == [], (name, url)  # every pattern compiles as browsers do
        await page.screenshot(path=screenshot_path(f"layout-{name}-{width}"), full_page=True)
    return wrong


async def test_every_page_fits_phone_tablet_laptop_and_wide_screens(stack, page):
    bid = await cases.nameless(stack)
    late = await _late(stack)
    wrong = []
    await _log_in(page, creds.ensure_operator(stack.settings, "supervisor", "3673", "layout-supervisor"))
    for name, url in (("worklist", "/console/worklist"), ("bundles", "/console/bundles"),
                      ("dashboard", "/console/dashboard"), ("bundle", f"/console/bundles/{bid}"),
                      ("bundle-late", f"/console/bundles/{late}")):
        wrong += await _check_widths(page, name, url)
    await page.context.clear_cookies()
    await _log_in(page, creds.ensure_operator(stack.settings, "auditor", None, "layout-auditor"))
    wrong += await _check_widths(page, "audit", "/console/audit")
    await page.context.clear_cookies()
    await _log_in(page, creds.ensure_operator(stack.settings, "admin", None, "layout-admin"))
    wrong += await _check_widths(page, "admin", "/console/admin")
    assert wrong == []


async def _late(stack) -> str:
    """Reported 75 days after the birth: the akta waits for the Kepala Dinas's decision."""
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    bid = await stack.accepted(payloads.from_family(fam, birth_date=date.today() - timedelta(days=75)),
                               cases.HOSPITAL)
    await stack.wait(bid, lambda b: svc(b, "akta")["reason"] == "KEPUTUSAN_KADIS_DIPERLUKAN")
    return bid


async def test_the_decision_number_pattern_is_enforced_and_no_retry_waits_for_the_kadis(stack, page):
    late = await _late(stack)
    await _log_in(page, creds.ensure_operator(stack.settings, "supervisor", "3673", "layout-kadis"))
    await page.goto(f"/console/bundles/{late}")
    field = page.locator("form[data-action='decision'] input[name='decision_number']")
    assert await page.evaluate("p => { new RegExp(p, 'v'); return true; }", REF_PATTERN)
    await field.fill("470/9/KADIS-2026")
    assert await field.evaluate("el => el.validity.valid")
    await field.fill("470#9")
    assert await field.evaluate("el => el.validity.patternMismatch")  # the browser stops it
    # The akta waits for a person's decision: "Coba lagi" there would get the same answer.
    assert await page.locator("li.step[data-service='akta'] form[data-action='retry']").count() == 0


async def test_a_refused_parents_correction_keeps_what_was_typed(stack, page):
    bid = await cases.nameless(stack)
    await _log_in(page, creds.ensure_operator(stack.settings, "operator", "3673", "layout-parents"))
    await page.goto(f"/console/bundles/{bid}")
    page.expected_errors.append("status of 422")
    await page.click("details[data-action='parents'] summary")
    form = page.locator("details[data-action='parents'] form")
    await form.locator("input[name='father_nik']").fill("3673011203880009")  # the father's name missing
    await form.locator("input[name='father_name']").fill("")
    await form.locator("input[name='mother_name']").fill("Siti Aminah")
    await form.locator("input[name='reason']").fill("data ayah dari keluarga")
    await form.locator("button[type=submit]").click()
    error = page.locator("#parents-error")
    await error.wait_for()
    assert "Isian tidak valid" in await error.inner_text()
    again = page.locator("details[data-action='parents'][open] form")
    assert await again.locator("input[name='father_nik']").input_value() == "3673011203880009"
    assert await again.locator("input[name='mother_name']").input_value() == "Siti Aminah"
    assert await again.locator("input[name='reason']").input_value() == "data ayah dari keluarga"
    assert page.url.endswith(f"/console/bundles/{bid}")  # the history holds the page, not the POST
