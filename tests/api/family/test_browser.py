"""The family's pages and the verification page in a real headless Chromium, as a parent sees them.

Screenshots go to test-artifacts/screenshots/ (git-ignored): family-*.png and verification-*.png.
"""

from __future__ import annotations

import re

import pytest

from tests.api.console.conftest import screenshot_path
from tests.api.family import cases
from tests.support import qr
from tests.support.pii import has_nik_like

pytestmark = pytest.mark.integration


async def test_a_parent_opens_the_link_enters_the_pin_and_keeps_the_documents(stack, page):
    d = await cases.delivered(stack)
    page.expected_errors = ["status of 401"]  # the wrong PIN's answer
    await page.set_viewport_size({"width": 412, "height": 900})  # a phone
    await page.goto(f"/unduh/{d.token}")
    await page.locator("[data-page='pin']").wait_for()
    await page.screenshot(path=screenshot_path("family-pin"), full_page=True)
    body = await page.inner_text("body")
    assert d.family["ibu"]["nama"] not in body and not has_nik_like(body)

    await page.fill("#pin", f"{(int(d.pin) + 1) % 10**6:06d}")
    await page.click("form.pin button[type=submit]")
    await page.locator("#message").wait_for()
    assert "PIN salah" in await page.inner_text("#message")
    await page.screenshot(path=screenshot_path("family-pin-wrong"), full_page=True)

    await page.fill("#pin", d.pin)
    await page.click("form.pin button[type=submit]")
    await page.wait_for_url(f"**/unduh/{d.token}/dokumen")
    for doc in ("akta", "kk", "kia"):
        await page.locator(f"li[data-doc='{doc}']").wait_for()
    await page.screenshot(path=screenshot_path("family-documents"), full_page=True)

    async with page.expect_download() as download:
        await page.click("li[data-doc='akta'] a.button")
    saved = await (await download.value).path()
    with open(saved, "rb") as f:  # noqa: ASYNC230 - a small file the browser just wrote
        pdf = f.read()
    assert qr.is_a4(pdf)

    await page.click("li[data-doc='kia'] a.button")
    await page.locator("[data-page='kia']").wait_for()
    assert "Siti Aminah" in await page.inner_text("[data-field='nama']")
    assert "Kota Serang" in await page.inner_text("[data-field='kantor']")
    await page.screenshot(path=screenshot_path("family-kia"), full_page=True)

    (url,) = qr.qr_texts(pdf)  # the QR code on the page, as a phone camera reads it
    await page.set_viewport_size({"width": 1000, "height": 900})
    await page.goto(url)
    await page.locator("[data-result='genuine']").wait_for()
    assert await page.locator("[data-status='current']").count() == 1
    assert not has_nik_like(await page.inner_text("body"))
    await page.screenshot(path=screenshot_path("verification-genuine"), full_page=True)

    await page.goto(re.sub(r"s=[^&]+", "s=AAAAAAAAAAAAAAAA", url))
    await page.locator("[data-result='invalid']").wait_for()
    await page.screenshot(path=screenshot_path("verification-invalid"), full_page=True)


async def test_a_link_locked_after_wrong_pins(stack, page):
    d = await cases.delivered(stack)
    page.expected_errors = ["status of 401", "status of 403"]  # wrong PINs, then the lock
    await page.goto(f"/unduh/{d.token}")
    for _ in range(stack.settings.family_pin_attempts):
        await page.fill("#pin", f"{(int(d.pin) + 1) % 10**6:06d}")
        await page.click("form.pin button[type=submit]")
        await page.wait_for_load_state()
    await page.locator("[data-state='locked']").wait_for()
    await page.screenshot(path=screenshot_path("family-locked"), full_page=True)
