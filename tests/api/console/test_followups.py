"""The follow-ups page and its retry over HTTP with a cookie session and CSRF: a correction Dukcapil
refuses shows on the worklist, waits with a retry form, and completes once an operator retries it."""

from __future__ import annotations

import asyncio
import html
import re
import time

import pytest
import pytest_asyncio

from tests.api.console import cases
from tests.api.console.support import FLASH, Console, login
from tests.support.stack import ADMIN

pytestmark = pytest.mark.integration


@pytest_asyncio.fixture(scope="module")
async def operator(stack):
    console = await login(stack, "operator", "3673", username="console-fu-op")
    yield console
    await console.close()


async def _page_until(console: Console, bid: str, needle: str, timeout: float = 45) -> str:
    deadline = time.monotonic() + timeout
    while needle not in (page := (await console.get(f"/console/bundles/{bid}/follow-ups")).text):
        assert time.monotonic() < deadline, f"{needle!r} never on the follow-ups page"
        await asyncio.sleep(0.2)
    return page


async def _retry(console: Console, bid: str, reason: str) -> tuple[str, str]:
    r = await console.post(f"/console/bundles/{bid}/follow-ups/correction/1/retry", {"reason": reason})
    assert r.status_code == 303 and r.headers["location"].endswith(f"/bundles/{bid}/follow-ups")
    found = FLASH.search((await console.get(r.headers["location"])).text)
    assert found
    return found.group(1), html.unescape(found.group(2))


async def test_a_refused_correction_is_on_the_worklist_and_retried_from_its_page(stack, operator):
    bid = await cases.completed(stack)
    kk = (await stack.get(bid))["kk"]["document_number"]
    rule = {"id": f"console-kk-{bid[:8]}", "endpoint": "kk_member",
            "reject": {"kode": "BUKAN_ANGGOTA_KK", "no_kk": [kk]}}
    faults = f"{stack.dukcapil_url}/admin/faults"
    assert (await stack.http.post(faults, headers=ADMIN, json=rule)).status_code == 201
    try:
        said = await operator.act(bid, "correction", {"birth_order": "1", "child_name": "Siti Aminah Putri",
                                                      "reason": "ejaan nama keliru"})
        assert said[0] == "ok", said
        page = await _page_until(operator, bid, 'data-kind="correction" data-status="needs_attention"')
        assert 'data-code="BUKAN_ANGGOTA_KK"' in page and "/follow-ups/correction/1/retry" in page
        worklist = (await operator.get("/console/worklist")).text
        assert f'data-bundle="{bid}"' in worklist and "Tindak lanjut koreksi" in worklist
        assert await _retry(operator, bid, "x") == (
            "error", "Isian tidak valid; periksa: Alasan (dicatat di log audit).")
    finally:
        await stack.http.post(f"{faults}/remove", headers=ADMIN, json={"ids": [rule["id"]]})
    said = await _retry(operator, bid, "KK diperiksa di Dukcapil")
    assert said == ("ok", "Langkah tindak lanjut dicoba lagi."), said
    page = await _page_until(operator, bid, 'data-kind="correction" data-status="completed"')
    assert "/retry" not in page and 'data-current="yes"' in page and 'data-current="no"' in page
    in_force = re.search(r'data-number="([^"]+)" data-current="yes"', page).group(1)
    old = re.search(r'data-number="([^"]+)" data-current="no"', page).group(1)
    bundle_page = (await operator.get(f"/console/bundles/{bid}")).text
    assert in_force in bundle_page.split('data-kind="correction"')[0]  # the akta step shows it
    assert old not in bundle_page.split('data-kind="correction"')[0]
    said = await _retry(operator, bid, "sekali lagi")
    assert said == ("error", "Ditolak: tindak lanjut ini tidak sedang menunggu untuk dicoba lagi."), said
    worklist = (await operator.get("/console/worklist")).text
    assert f'data-bundle="{bid}"' not in worklist
    same = await operator.act(bid, "correction", {"birth_order": "1", "child_name": "Siti Aminah Putri",
                                                  "reason": "sekali lagi"})
    assert same == ("error", "Ditolak: nama itu sudah tercantum pada akta yang berlaku."), same
