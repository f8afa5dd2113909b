"""The bundle page in Bahasa Indonesia in a real Chromium, for bundles in representative final states:
what the clerk reads comes from the console's catalogue (no English workflow note, no raw fact key),
with facts labelled, money as Rupiah and times as Indonesian dates in WIB.

Screenshots go to test-artifacts/screenshots/words-*.png (git-ignored) as test artifacts.
"""

from __future__ import annotations

import re

import pytest

from tests.api.console import cases
from tests.api.console.conftest import screenshot_path
from tests.support import creds, payloads
from tests.support.stack import svc

pytestmark = pytest.mark.integration
# What the workflows write in English (ServiceState.detail, TimelineEvent.message), as the issue saw it.
ENGLISH = ("child(ren)", "legal deadline", "refused:", "Refused", "waiting for", "no connected Dukcapil",
           "by supervisor", "by operator", "membership ended", "routing again", "follow-up",
           "first payment to the virtual account")
# Fact keys and coded values as the workflows store them: the page shows labels and words instead.
RAW = re.compile(r"\b(tanggal_terbit|tanda_tangan|virtual_account|orang_tua|kedua_orang_tua|tagihan|"
                 r"berlaku_sampai|tunggakan_sejak|segmen|kelas|MENUNGGU_PEMBAYARAN|DIDAFTARKAN)\b")
ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")
MONTHS = "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"
WIB_TIME = re.compile(rf"\b\d{{1,2}} ({MONTHS}) 20\d\d, \d\d\.\d\d WIB\b")


async def _log_in(page, username: str) -> None:
    await page.goto("/console/login")
    await page.fill("#username", username)
    await page.fill("#password", creds.PASSWORD)
    await page.click("form[action='/console/login'] button[type=submit]")
    await page.wait_for_url("**/console/worklist")


async def _bundles(stack) -> dict[str, str]:
    """One bundle per state the page must say in Indonesian, each waited to where the test looks."""
    done = await cases.completed(stack)
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    body = payloads.from_family(fam, birth_date=cases.YESTERDAY)
    body["mother"]["nik"] = payloads.unknown_mother_nik()
    refused = await stack.accepted(body, cases.HOSPITAL)
    fam = await stack.family(kab_kota="3673", segmen="PBPU", marital="KAWIN_TERCATAT")
    unpaid = await stack.accepted(payloads.from_family(fam, birth_date=cases.YESTERDAY), cases.HOSPITAL)
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    still = await stack.accepted(payloads.from_family(fam, birth_date=cases.YESTERDAY,
                                                      children=[payloads.stillborn()]), cases.HOSPITAL)
    fam = await stack.family(kab_kota="3671")
    elsewhere = await stack.accepted(payloads.from_family(fam, birth_date=cases.YESTERDAY), cases.HOSPITAL)
    await stack.wait(refused, lambda b: svc(b, "nik")["reason"] == "NIK_IBU_TIDAK_DITEMUKAN")
    await stack.wait(unpaid, lambda b: svc(b, "bpjs")["status"] == "awaiting_payment")
    assert (await stack.wait(still))["status"] == "stillbirth_recorded"
    await stack.wait(elsewhere, lambda b: b["routing"]["reason"] == "DOMISILI_LUAR")
    return {"completed": done, "refused": refused, "unpaid": unpaid, "stillbirth": still,
            "elsewhere": elsewhere}


# What each page must say, in the catalogue's Indonesian.
EXPECTED = {
    "completed": ("Selesai", "Tanggal terbit", "Orang tua pada akta", "Berlaku sampai", "anak dilaporkan",
                  "Status kepesertaan"),
    "refused": ("Perlu tindakan", "Ditolak oleh Dukcapil (NIK_IBU_TIDAK_DITEMUKAN).",
                "NIK ibu tidak dikenal Dukcapil", "Kesalahan terakhir"),
    "unpaid": ("Menunggu pembayaran", "Tagihan", "Virtual account", "menunggu pembayaran",
               "Menunggu pembayaran pertama keluarga ke virtual account."),
    "stillbirth": ("Lahir mati tercatat", "Surat keterangan lahir mati", "lahir mati"),
    "elsewhere": ("Tidak ada kantor Dukcapil terhubung untuk kab/kota 3671",),
}


async def test_final_bundle_pages_say_everything_from_the_catalogue_in_indonesian(stack, page):
    user = creds.ensure_operator(stack.settings, "supervisor", None, "words-supervisor")
    bundles = await _bundles(stack)
    await _log_in(page, user)
    for name, bid in bundles.items():
        await page.goto(f"/console/bundles/{bid}")
        main = page.locator("main")
        await main.locator("ol.timeline li").first.wait_for()
        text = await main.inner_text()
        await page.screenshot(path=screenshot_path(f"words-{name}"), full_page=True)
        assert [p for p in ENGLISH if p in text] == [], name
        assert RAW.findall(text) == [], name
        assert [w for w in EXPECTED[name] if w not in text] == [], name
        assert WIB_TIME.search(text), name  # received and updated at, e.g. "7 Desember 2026, 14.05 WIB"
        facts = " ".join(await main.locator(".facts").all_inner_texts())
        assert ISO_DATE.findall(facts) == [], name
        if name == "unpaid":
            amount = await main.locator("[data-fact='tagihan'] dd").inner_text()
            assert re.fullmatch(r"Rp\d{1,3}(\.\d{3})*", amount), amount
