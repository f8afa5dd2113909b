"""Dukcapil simulator: a child's name by Permendagri 73/2022 (its own check, NAMA_TIDAK_SESUAI), every
name printed whole and exactly on the akta, the KK and the KIA, "Anak ke" among the mother's children,
the place of issue (Kab. Bogor: Cibinong) and the KK's dates in Indonesian."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pypdfium2 as pdfium
import pytest
import sqlalchemy as sa

from simulators.dukcapil.pdf import tanggal
from tests.simulators._dukcapil import Sim, akta, birth, served

NAME_60 = "Muhammad Rizky Pratama Putra Ramadhan Saputra Wijaya Kusumaa"
WORD_60 = "Wiryawanasastradiningratmangkubumisuryaningratpurbanegarasaa"
BAD_NAMES = ["Nur'aini", "Budi 2", "Haji Ahmad", "Ahmad Dr", "A" * 30 + " " + "B" * 30, "Siti  Aminah",
             "Nur Ṣāliḥah", "Bintang 🌟", "Ahmad-Budi"]


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    """A simulator on SQLite whose parents' biodata the tests may set (pre-2022 apostrophes)."""
    with served("sqlite", tmp_path_factory.mktemp("dukcapil-names"), families=120) as s:
        yield s


def _rename(sim: Sim, nik: str, name: str) -> None:
    engine = sa.create_engine(sim.database_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE penduduk SET name = :n WHERE nik = :k"), {"n": name, "k": nik})
    engine.dispose()


def _born(sim: Sim, fam: dict, day: date, *, order: int = 1, of: int = 1) -> str:
    got = sim.issue(fam["domisili"]["kode_kab_kota"], "kelahiran", birth(fam, day, order=order, of=of))
    assert got.status_code == 201, got.text
    return got.json()["nik"]


def _akta(sim: Sim, fam: dict, nik: str, name: str) -> str:
    got = sim.issue(fam["domisili"]["kode_kab_kota"], "akta-kelahiran", akta(fam, nik, name))
    assert got.status_code == 201, got.text
    return got.json()["no_akta"]


def _text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()


def _pdf_text(sim: Sim, kind: str, body: dict) -> str:
    got = sim.http.post(f"/v1/dokumen/{kind}", json=body)
    assert got.status_code == 200, got.text
    text = _text(got.content)
    assert "…" not in text and "\ufffd" not in text  # never cut, never a missing glyph
    return text


def _words(text: str) -> str:
    """Lines joined by single spaces: a name wrapped between its words reads as the name."""
    return re.sub(r"\s+", " ", text)


def test_a_name_breaking_the_rule_is_refused_until_a_valid_one_is_given(sim: Sim):
    day = date(2026, 12, 1)
    sim.set_today(day)
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=101)
    nik = _born(sim, fam, day)  # the NIK is registered as "Bayi Ny. <mother>": not a recorded name
    for bad in BAD_NAMES:
        got = sim.issue("3673", "akta-kelahiran", akta(fam, nik, bad))
        assert got.status_code == 422, bad
        assert got.json()["kode"] == "NAMA_TIDAK_SESUAI", (bad, got.json())
        assert "Permendagri 73/2022" in got.json()["pesan"]
    assert sim.person(nik)["no_akta"] is None  # nothing issued meanwhile
    assert _akta(sim, fam, nik, NAME_60)  # 60 letters including spaces is the limit, allowed
    assert sim.person(nik)["nama"] == NAME_60


def test_a_correction_to_a_bad_name_is_refused(sim: Sim):
    day = date(2026, 12, 2)
    sim.set_today(day)
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=102)
    nik = _born(sim, fam, day)
    number = _akta(sim, fam, nik, "Siti Aminah")
    body = {"nik_anak": nik, "no_akta_lama": number, "nama_anak": "Siti Aminah Hj",
            "nik_ayah": None, "alasan": "Nama pada formulir salah tulis"}
    got = sim.issue("3673", "akta-kelahiran/koreksi", body)
    assert got.status_code == 422 and got.json()["kode"] == "NAMA_TIDAK_SESUAI"
    assert sim.person(nik)["no_akta"] == number


def test_every_name_prints_whole_and_exactly_on_akta_kk_and_kia(sim: Sim):
    day = date(2026, 12, 7)
    sim.set_today(day)
    fam = sim.sample(kab_kota="3201", marital="KAWIN_TERCATAT", seed=103)
    assert fam["ayah"], "a family with a father"
    # Recorded before 2022: an apostrophe the rule no longer allows for a new name, printed as is.
    mother, father = "Siti Ma'rufah Nur'aini", "Ma'ruf Amin"
    _rename(sim, fam["ibu"]["nik"], mother)
    _rename(sim, fam["ayah"]["nik"], father)
    niks = [_born(sim, fam, day, order=i, of=2) for i in (1, 2)]
    names = [NAME_60, WORD_60]
    numbers = [_akta(sim, fam, nik, name) for nik, name in zip(niks, names, strict=True)]
    for nik, name, number in zip(niks, names, numbers, strict=True):
        kia = sim.issue("3201", "kia", {"nik_anak": nik, "nama_anak": name, "no_akta": number})
        assert kia.status_code == 201, kia.text
        assert sim.http.post("/v1/dokumen/kia", json={"nik": nik}).json()["nama"] == name
    got = sim.issue("3201", "kk/terbit-ulang", {"no_kk": fam["no_kk"], "anak": [
        {"nik": n, "nama": name, "no_akta": a} for n, name, a in zip(niks, names, numbers, strict=True)]})
    assert got.status_code == 200, got.text

    first = _words(_pdf_text(sim, "akta-kelahiran", {"no_akta": numbers[0]}))
    assert f"Nama : {NAME_60} Jenis kelamin" in first  # the name's own cell, wrapped between words
    assert f"Nama ibu : {mother}" in first and f"Nama ayah : {father}" in first
    assert "Dikeluarkan di Cibinong, pada tanggal 7 Desember 2026" in first
    second = _pdf_text(sim, "akta-kelahiran", {"no_akta": numbers[1]})
    # One 60-letter word is wider than its cell: broken between letters, every letter there in order.
    assert re.search(r"Nama\s*:\s*" + r"\s*".join(WORD_60) + r"\s*Jenis kelamin", second)

    kk = _pdf_text(sim, "kk", {"no_kk": fam["no_kk"]})
    assert NAME_60 in _words(kk) and mother in _words(kk) and father in _words(kk)
    assert WORD_60 in re.sub(r"\s+", "", kk)
    members = sim.kk(fam["no_kk"])["anggota"]
    for m in members:  # every birth date as an Indonesian date, none as ISO
        assert tanggal(m["tanggal_lahir"]) in _words(kk)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", kk)
    assert "Dikeluarkan di Cibinong" in kk


def _anak_ke(sim: Sim, number: str) -> str:
    text = _words(_pdf_text(sim, "akta-kelahiran", {"no_akta": number}))
    found = re.search(r"Anak ke : (.+?) Nama ibu", text)
    assert found, text
    return found.group(1)


def test_anak_ke_counts_the_mothers_live_born_children(sim: Sim):
    first_day = date(2026, 6, 1)
    sim.set_today(first_day)
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=104)
    older = sum(1 for m in sim.kk(fam["no_kk"])["anggota"] if m["hubungan"] == "ANAK")
    # A stillbirth first: a certificate, never a person, so never counted.
    still = sim.issue("3673", "lahir-mati", {
        "no_kk": fam["no_kk"], "nik_ibu": fam["ibu"]["nik"], "tanggal_lahir": first_day.isoformat(),
        "kelahiran_ke": 1, "usia_kandungan_minggu": 34, "nama_fasilitas": "RSUD Banten"})
    assert still.status_code == 201, still.text
    twins_day = first_day + timedelta(days=300)
    sim.set_today(twins_day)
    twins = [_born(sim, fam, twins_day, order=i, of=2) for i in (1, 2)]
    numbers = [_akta(sim, fam, nik, name) for nik, name in zip(twins, ("Putri Sulung", "Putri Bungsu"),
                                                                 strict=True)]
    # The first twin dies; she stays the mother's child.
    died = sim.issue("3673", "akta-kematian", {"nik_anak": twins[0], "no_kk": fam["no_kk"],
                                               "tanggal_meninggal": twins_day.isoformat(),
                                               "tempat_meninggal": "RSUD Banten"})
    assert died.status_code == 201, died.text
    later = twins_day + timedelta(days=400)
    sim.set_today(later)
    third = _akta(sim, fam, _born(sim, fam, later), "Adik Bungsu")
    assert _anak_ke(sim, numbers[0]) == f"{older + 1} (kelahiran kembar 2, urutan ke-1)"
    assert _anak_ke(sim, numbers[1]) == f"{older + 2} (kelahiran kembar 2, urutan ke-2)"
    assert _anak_ke(sim, third) == str(older + 3)
