"""Dukcapil simulator: the akta kematian as a signed PDF on A4 (the child's name whole, the dates in
Indonesian), its QR code read back from the rendered page, and the public verification page."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest

from tests.simulators._dukcapil import BACKENDS, Sim, akta, birth, sim_fixture
from tests.support import qr
from tests.support.pii import has_nik_like

sim = pytest.fixture(scope="module", params=BACKENDS)(sim_fixture)
BORN, DIED, TODAY = date(2026, 3, 1), date(2026, 3, 5), date(2026, 3, 9)
LONG_NAME = "Muhammad Rizky Pratama Putra Ramadhan Saputra Wijaya Kusumaa"  # 60 letters: it wraps


def _died(sim: Sim, name: str, *, seed: int) -> dict:
    """A child born BORN with NIK and akta, whose death was recorded on TODAY."""
    sim.set_today(BORN)
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=seed)
    nik = sim.issue("3673", "kelahiran", birth(fam, BORN)).json()["nik"]
    got = sim.issue("3673", "akta-kelahiran", akta(fam, nik, name))
    assert got.status_code == 201, got.text
    sim.set_today(TODAY)
    death = sim.issue("3673", "akta-kematian", {"nik_anak": nik, "no_kk": fam["no_kk"],
                                                "tanggal_meninggal": DIED.isoformat(),
                                                "tempat_meninggal": "RSUD Banten"})
    assert death.status_code == 201, death.text
    return {"nik": nik, "akta": got.json()["no_akta"], "kematian": death.json()["no_akta_kematian"],
            "fam": fam}


def _kematian_pdf(sim: Sim, number: str) -> bytes:
    got = sim.http.post("/v1/dokumen/akta-kematian", json={"no_akta_kematian": number})
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/pdf"
    return got.content


def _words(text: str) -> str:
    """Lines joined by single spaces: a name wrapped between its words reads as the name."""
    return re.sub(r"\s+", " ", text)


def _verdict(page: httpx.Response) -> tuple[str, str]:
    result = re.search(r'data-result="(\w+)"', page.text)
    status = re.search(r'data-status="(\w+)"', page.text)
    return (result.group(1) if result else "", status.group(1) if status else "")


def test_the_akta_kematian_is_a_signed_a4_pdf_with_the_name_whole_and_dates_in_indonesian(sim: Sim):
    child = _died(sim, "Nadia Kirana Putri", seed=601)
    pdf = _kematian_pdf(sim, child["kematian"])
    assert pdf.startswith(b"%PDF-") and qr.is_a4(pdf)
    text = _words(qr.page_text(pdf))
    assert "KUTIPAN AKTA KEMATIAN" in text and "DOKUMEN SIMULASI" in text
    assert child["kematian"] in text and child["nik"] in text and child["akta"] in text
    assert "Nadia Kirana Putri" in text and child["fam"]["ibu"]["nama"] in text
    assert "1 Maret 2026" in text  # born
    assert "telah meninggal dunia di RSUD Banten pada tanggal 5 Maret 2026" in text
    assert "pada tanggal 9 Maret 2026" in text  # issued
    assert "2026-03" not in text
    assert _kematian_pdf(sim, child["kematian"]) == pdf  # made once, then kept as signed


def test_a_long_name_prints_whole_on_the_akta_kematian(sim: Sim):
    child = _died(sim, LONG_NAME, seed=602)
    text = qr.page_text(_kematian_pdf(sim, child["kematian"]))
    assert LONG_NAME in _words(text) and "…" not in text


def test_its_qr_opens_a_genuine_verification_with_initials_only(sim: Sim):
    child = _died(sim, "Omar Fadli Hakim", seed=603)
    (url,) = qr.qr_texts(_kematian_pdf(sim, child["kematian"]))
    assert url.startswith(f"{sim.base}/verifikasi/")
    page = httpx.get(url, timeout=10)  # anyone who scans it: no token
    assert page.status_code == 200 and _verdict(page) == ("genuine", "current")
    assert "Kutipan Akta Kematian" in page.text and child["kematian"] in page.text
    assert "O. F. H." in page.text and "Omar" not in page.text
    assert not has_nik_like(page.text), "no NIK or KK number on a public page"


def test_unknown_malformed_and_unauthenticated_requests(sim: Sim):
    got = sim.http.post("/v1/dokumen/akta-kematian", json={"no_akta_kematian": "3673-KM-01012020-9999"})
    assert got.status_code == 404 and got.json()["kode"] == "AKTA_KEMATIAN_TIDAK_DITEMUKAN"
    for bad in ("3673-LU-01012020-0001", "bukan nomor"):  # an akta kelahiran's number is not one
        assert sim.http.post("/v1/dokumen/akta-kematian", json={"no_akta_kematian": bad}).status_code == 422
    anonymous = httpx.post(f"{sim.base}/v1/dokumen/akta-kematian",
                           json={"no_akta_kematian": "3673-KM-01012020-9999"}, timeout=10)
    assert anonymous.status_code == 401
