"""Dukcapil simulator: akta and KK as signed PDFs on A4, the QR code read back from the rendered page,
and the public verification page it opens (genuine, tampered, superseded)."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
import sqlalchemy as sa

from tests.simulators._dukcapil import BACKENDS, Sim, akta, birth, served, sim_fixture
from tests.support import qr
from tests.support.pii import has_nik_like

sim = pytest.fixture(scope="module", params=BACKENDS)(sim_fixture)
DAY = date(2026, 3, 9)


@pytest.fixture(scope="module")
def sqlite_sim(tmp_path_factory):
    """A simulator on SQLite whose database the tests may tamper with."""
    with served("sqlite", tmp_path_factory.mktemp("dukcapil-docs"), families=80) as s:
        yield s


def _issued(sim: Sim, name: str, *, seed: int) -> dict:
    """A child born today with NIK, akta, KIA and the KK reissued listing it."""
    sim.set_today(DAY)
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=seed)
    nik = sim.issue("3673", "kelahiran", birth(fam, DAY)).json()["nik"]
    number = sim.issue("3673", "akta-kelahiran", akta(fam, nik, name)).json()["no_akta"]
    kia = sim.issue("3673", "kia", {"nik_anak": nik, "nama_anak": name, "no_akta": number})
    assert kia.status_code == 201, kia.text
    got = sim.issue("3673", "kk/terbit-ulang", {"no_kk": fam["no_kk"], "anak": [
        {"nik": nik, "nama": name, "no_akta": number}]})
    assert got.status_code == 200, got.text
    return {"nik": nik, "akta": number, "no_kk": fam["no_kk"], "fam": fam}


def _akta_pdf(sim: Sim, number: str) -> bytes:
    got = sim.http.post("/v1/dokumen/akta-kelahiran", json={"no_akta": number})
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/pdf"
    return got.content


def _kk_pdf(sim: Sim, kk_number: str) -> bytes:
    got = sim.http.post("/v1/dokumen/kk", json={"no_kk": kk_number})
    assert got.status_code == 200, got.text
    assert kk_number not in got.headers["content-disposition"]
    return got.content


def _scan(sim: Sim, pdf: bytes) -> str:
    """The verification URL, as a phone would read it off the printed page."""
    urls = qr.qr_texts(pdf)
    assert len(urls) == 1, urls
    assert urls[0].startswith(f"{sim.base}/verifikasi/")
    return urls[0]


def _verdict(page: httpx.Response) -> tuple[str, str]:
    result = re.search(r'data-result="(\w+)"', page.text)
    status = re.search(r'data-status="(\w+)"', page.text)
    return (result.group(1) if result else "", status.group(1) if status else "")


def _open(url: str) -> httpx.Response:
    """The verification page as anyone opens it: no token, no cookie."""
    return httpx.get(url, timeout=10)


def test_the_akta_is_a_signed_a4_pdf_whose_qr_opens_a_genuine_verification(sim: Sim):
    child = _issued(sim, "Aisyah Putri Lestari", seed=501)
    pdf = _akta_pdf(sim, child["akta"])
    assert pdf.startswith(b"%PDF-") and qr.is_a4(pdf)
    text = qr.page_text(pdf)
    assert "KUTIPAN AKTA KELAHIRAN" in text and child["akta"] in text and child["nik"] in text
    assert "Aisyah Putri Lestari" in text and "DOKUMEN SIMULASI" in text
    assert _akta_pdf(sim, child["akta"]) == pdf  # made once, then kept as signed

    page = _open(_scan(sim, pdf))
    assert page.status_code == 200
    assert _verdict(page) == ("genuine", "current")
    assert child["akta"] in page.text and "A. P. L." in page.text  # number in full, names as initials
    assert "Kota Serang" in page.text
    assert not has_nik_like(page.text), "no NIK or KK number on a public page"
    assert "Aisyah" not in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_the_kk_is_a_signed_a4_landscape_pdf_and_its_qr_verifies(sim: Sim):
    child = _issued(sim, "Bima Saputra", seed=502)
    pdf = _kk_pdf(sim, child["no_kk"])
    width, height = qr.page_size(pdf)
    assert qr.is_a4(pdf) and width > height  # landscape
    text = qr.page_text(pdf)
    assert "KARTU KELUARGA" in text and child["nik"] in text and child["akta"] in text
    page = _open(_scan(sim, pdf))
    assert _verdict(page) == ("genuine", "current")
    assert f"{child['no_kk'][:6]}******{child['no_kk'][-4:]}" in page.text
    assert not has_nik_like(page.text)


def test_the_documents_need_a_bearer_token_but_verification_is_public(sim: Sim):
    child = _issued(sim, "Citra Anggraini", seed=503)
    pdf = _akta_pdf(sim, child["akta"])
    for path, body in (("akta-kelahiran", {"no_akta": child["akta"]}), ("kk", {"no_kk": child["no_kk"]}),
                       ("kia", {"nik": child["nik"]})):
        assert httpx.post(f"{sim.base}/v1/dokumen/{path}", json=body, timeout=10).status_code == 401
    assert _open(_scan(sim, pdf)).status_code == 200
    keys = httpx.get(f"{sim.base}/verifikasi/kunci", timeout=10).json()
    assert keys["algoritma"] == "Ed25519"
    assert {k["kantor"] for k in keys["kunci"]} == {"3673", "3604", "3672", "3201"}
    assert len({k["kunci_publik"] for k in keys["kunci"]}) == 4  # one key per office


def test_unknown_documents_and_numbers(sim: Sim):
    def fetch(number: str) -> int:
        return sim.http.post("/v1/dokumen/akta-kelahiran", json={"no_akta": number}).status_code

    assert fetch("3673-LU-01012020-9999") == 404
    assert fetch("bukan nomor") == 422
    page = _open(f"{sim.base}/verifikasi/TIDAKADA234567ABCDEF?s=xyz")
    assert page.status_code == 404 and _verdict(page)[0] == "unknown"


def test_a_forged_qr_code_is_not_genuine(sim: Sim):
    url = _scan(sim, _akta_pdf(sim, _issued(sim, "Dewi Kartika", seed=504)["akta"]))
    forged = re.sub(r"s=[^&]+", "s=AAAAAAAAAAAAAAAA", url)
    page = _open(forged)
    assert _verdict(page)[0] == "invalid" and "Kode pada QR" in page.text
    assert _verdict(_open(url.split("?")[0]))[0] == "invalid"  # no code at all


def test_a_pdf_with_one_byte_changed_is_told_apart_from_the_signed_one(sim: Sim):
    pdf = _akta_pdf(sim, _issued(sim, "Eka Pratama", seed=505)["akta"])
    url = _scan(sim, pdf)
    same = httpx.post(url, files={"berkas": ("akta.pdf", pdf, "application/pdf")}, timeout=10)
    assert 'data-file="same"' in same.text and _verdict(same)[0] == "genuine"
    at = pdf.index(b"/Title")  # the document's title in its metadata: one letter changed
    one_byte = pdf[:at + 8] + bytes([pdf[at + 8] ^ 0x01]) + pdf[at + 9:]
    assert len(one_byte) == len(pdf) and one_byte != pdf
    other = httpx.post(url, files={"berkas": ("akta.pdf", one_byte, "application/pdf")}, timeout=10)
    assert 'data-file="different"' in other.text
    assert _verdict(other)[0] == "genuine"  # the register's own copy is still the signed one


def test_a_field_or_the_pdf_changed_in_the_register_no_longer_verifies(sqlite_sim: Sim):
    sim = sqlite_sim
    first = _issued(sim, "Fajar Nugroho", seed=506)
    second = _issued(sim, "Gita Permata", seed=507)
    url_1 = _scan(sim, _akta_pdf(sim, first["akta"]))
    url_2 = _scan(sim, _akta_pdf(sim, second["akta"]))
    engine = sa.create_engine(sim.database_url)
    with engine.begin() as db:  # an insider edits the stored data, or the stored file
        db.execute(sa.text("UPDATE dokumen SET data_json = replace(data_json, 'Fajar', 'Fajri') "
                           "WHERE number = :n"), {"n": first["akta"]})
        db.execute(sa.text("UPDATE dokumen SET pdf = :pdf WHERE number = :n"),
                   {"pdf": b"%PDF-1.4 not the signed file", "n": second["akta"]})
    engine.dispose()
    page = _open(url_1)
    assert _verdict(page)[0] == "invalid" and "data telah diubah" in page.text
    page = _open(url_2)
    assert _verdict(page)[0] == "invalid" and "Isi berkas PDF" in page.text


def test_a_corrected_akta_and_a_reissued_kk_verify_as_superseded(sim: Sim):
    child = _issued(sim, "Hana Safitri", seed=508)
    old_akta, old_kk = _akta_pdf(sim, child["akta"]), _kk_pdf(sim, child["no_kk"])
    fixed = sim.issue("3673", "akta-kelahiran/koreksi", {
        "nik_anak": child["nik"], "no_akta_lama": child["akta"], "nama_anak": "Hanna Safitri",
        "nik_ayah": None, "alasan": "Salah tulis nama"})
    assert fixed.status_code == 201, fixed.text
    new_number = fixed.json()["no_akta"]
    page = _open(_scan(sim, old_akta))
    assert _verdict(page) == ("genuine", "superseded")  # it was issued, and is no longer in force
    assert new_number in page.text
    assert _akta_pdf(sim, child["akta"]) == old_akta  # the old document stays what it was
    new_pdf = _akta_pdf(sim, new_number)
    assert "Hanna Safitri" in qr.page_text(new_pdf)
    assert _verdict(_open(_scan(sim, new_pdf))) == ("genuine", "current")

    updated = sim.issue("3673", "kk/anggota", {"no_kk": child["no_kk"], "nik": child["nik"],
                                               "action": "update", "nama": "Hanna Safitri",
                                               "no_akta": new_number})
    assert updated.status_code == 200, updated.text
    assert _verdict(_open(_scan(sim, old_kk))) == ("genuine", "superseded")
    new_kk = _kk_pdf(sim, child["no_kk"])
    assert new_kk != old_kk and _verdict(_open(_scan(sim, new_kk))) == ("genuine", "current")


def test_an_akta_superseded_before_it_was_ever_printed_names_its_successor(sim: Sim):
    child = _issued(sim, "Intan Maharani", seed=509)
    fixed = sim.issue("3673", "akta-kelahiran/koreksi", {
        "nik_anak": child["nik"], "no_akta_lama": child["akta"], "nama_anak": "Intan Maharani Putri",
        "nik_ayah": None, "alasan": "Nama belum lengkap"}).json()
    got = sim.http.post("/v1/dokumen/akta-kelahiran", json={"no_akta": child["akta"]})
    assert got.status_code == 410 and got.json()["kode"] == "AKTA_SUDAH_DIGANTI"
    assert fixed["no_akta"] in got.json()["pesan"]


def test_the_kia_card_data_and_where_to_collect_it(sim: Sim):
    child = _issued(sim, "Joko Wibowo", seed=510)
    card = sim.http.post("/v1/dokumen/kia", json={"nik": child["nik"]})
    assert card.status_code == 200, card.text
    card = card.json()
    assert card["nik"] == child["nik"] and card["nama"] == "Joko Wibowo" and card["jenis"] == "0-5"
    assert card["no_akta"] == child["akta"] and card["no_kk"] == child["no_kk"]
    assert card["tempat_pengambilan"]["kode"] == "3673"
    assert "Kota Serang" in card["tempat_pengambilan"]["nama"] and card["tempat_pengambilan"]["alamat"]
