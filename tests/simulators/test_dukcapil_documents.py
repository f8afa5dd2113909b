"""Dukcapil simulator: akta kelahiran (LU/LT, parents' wording), KIA and the KK reissue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from simulators.dukcapil.rules import UNMARRIED_PHRASE
from tests.simulators._dukcapil import BACKENDS, Sim, akta, birth, sim_fixture

sim = pytest.fixture(scope="module", params=BACKENDS)(sim_fixture)


def _born(sim: Sim, fam: dict, day: date, sex: str = "P", **kw) -> str:
    got = sim.issue(fam["domisili"]["kode_kab_kota"], "kelahiran", birth(fam, day, sex, **kw))
    assert got.status_code == 201, got.text
    return got.json()["nik"]


def test_married_parents_get_both_names_and_a_lu_number(sim: Sim):
    day = date(2025, 11, 3)
    sim.set_today(day)
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", segmen="PBI")
    nik = _born(sim, fam, day)
    got = sim.issue("3673", "akta-kelahiran", akta(fam, nik, "Aisyah Putri"))
    assert got.status_code == 201, got.text
    doc = got.json()
    assert doc["no_akta"].startswith("3673-LU-03112025-")
    assert doc["keterangan_orang_tua"] == "kedua_orang_tua" and doc["terlambat"] is False
    assert fam["ayah"]["nama"] in doc["teks"] and fam["ibu"]["nama"] in doc["teks"]
    assert UNMARRIED_PHRASE not in doc["teks"]
    person = sim.person(nik)
    assert person["nama"] == "Aisyah Putri" and person["no_akta"] == doc["no_akta"]
    second = sim.issue("3673", "akta-kelahiran", akta(fam, nik, "Aisyah Putri"))
    assert second.json()["kode"] == "AKTA_SUDAH_TERBIT"


def test_register_counter_runs_per_office_and_date(sim: Sim):
    day = date(2025, 11, 4)
    sim.set_today(day)
    numbers = []
    for seed in (1, 2):
        fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=seed)
        nik = _born(sim, fam, day)
        numbers.append(sim.issue("3673", "akta-kelahiran", akta(fam, nik, "Anak")).json()["no_akta"])
    assert numbers == ["3673-LU-04112025-0001", "3673-LU-04112025-0002"]


def test_wrong_marriage_number_is_refused(sim: Sim):
    sim.set_today(date(2025, 11, 5))
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT")
    nik = _born(sim, fam, date(2025, 11, 5))
    body = akta(fam, nik, "Budi") | {"no_bukti_perkawinan": "9999/999/XII/2001"}
    got = sim.issue("3673", "akta-kelahiran", body)
    assert got.status_code == 422 and got.json()["kode"] == "BUKTI_PERKAWINAN_TIDAK_SESUAI"


def test_sptjm_where_kk_shows_them_married(sim: Sim):
    sim.set_today(date(2025, 11, 6))
    fam = sim.sample(kab_kota="3673", marital="KAWIN_BELUM_TERCATAT")
    assert fam["no_buku_nikah"] is None and fam["ayah"] is not None
    nik = _born(sim, fam, date(2025, 11, 6))
    got = sim.issue("3673", "akta-kelahiran", akta(fam, nik, "Siti", proof=False, sptjm=True))
    assert got.status_code == 201, got.text
    assert got.json()["keterangan_orang_tua"] == "perkawinan_belum_tercatat"
    assert UNMARRIED_PHRASE in got.json()["teks"] and fam["ayah"]["nama"] in got.json()["teks"]


def test_sptjm_where_kk_does_not_show_them_married(sim: Sim):
    sim.set_today(date(2025, 11, 7))
    fam = sim.sample(kab_kota="3673", marital="TIDAK_KAWIN")
    man = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=5)["ayah"]["nik"]
    nik = _born(sim, fam, date(2025, 11, 7))
    body = akta(fam, nik, "Rina", proof=False, sptjm=True, father=man)
    got = sim.issue("3673", "akta-kelahiran", body)
    assert got.status_code == 422 and got.json()["kode"] == "SPTJM_TIDAK_SAH"
    # The same family without any proof gets a mother-only akta.
    got = sim.issue("3673", "akta-kelahiran", akta(fam, nik, "Rina", proof=False, father=None))
    assert got.status_code == 201
    assert got.json()["keterangan_orang_tua"] == "anak_seorang_ibu"
    assert "anak seorang ibu" in got.json()["teks"]
    assert sim.person(nik)["nik_ayah"] is None


def test_married_family_without_proof_gets_mother_only_akta(sim: Sim):
    sim.set_today(date(2025, 11, 8))
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=8)
    nik = _born(sim, fam, date(2025, 11, 8))
    got = sim.issue("3673", "akta-kelahiran", akta(fam, nik, "Dimas", proof=False))
    assert got.json()["keterangan_orang_tua"] == "anak_seorang_ibu"
    assert fam["ayah"]["nama"] not in got.json()["teks"]


def test_late_registration_needs_a_kadis_decision(sim: Sim):
    born = date(2025, 9, 1)
    sim.set_today(born)
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=11)
    nik = _born(sim, fam, born)
    sim.set_today(born + timedelta(days=61))
    refused = sim.issue("3673", "akta-kelahiran", akta(fam, nik, "Fajar"))
    assert refused.json()["kode"] == "KEPUTUSAN_KADIS_DIPERLUKAN"
    got = sim.issue("3673", "akta-kelahiran", akta(fam, nik, "Fajar", kadis="470/12/Disdukcapil"))
    assert got.status_code == 201
    assert got.json()["no_akta"].startswith("3673-LT-01112025-") and got.json()["terlambat"]
    assert sim.stats()["akta_terlambat"] >= 1


def test_day_sixty_is_still_on_time(sim: Sim):
    born = date(2025, 8, 1)
    sim.set_today(born)
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=12)
    nik = _born(sim, fam, born)
    sim.set_today(born + timedelta(days=60))
    got = sim.issue("3673", "akta-kelahiran", akta(fam, nik, "Gilang"))
    assert got.json()["no_akta"].startswith("3673-LU-30092025-")


def test_unknown_child_and_witness(sim: Sim):
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=13)
    got = sim.issue("3673", "akta-kelahiran", akta(fam, "3673055610259999", "X"))
    assert got.status_code == 404 and got.json()["kode"] == "NIK_ANAK_TIDAK_DITEMUKAN"
    sim.set_today(date(2025, 11, 9))
    nik = _born(sim, fam, date(2025, 11, 9))
    body = akta(fam, nik, "X") | {"nik_saksi": [fam["saksi"][0]["nik"], "3673010101800999"]}
    assert sim.issue("3673", "akta-kelahiran", body).json()["kode"] == "SAKSI_TIDAK_DITEMUKAN"


def test_kia_only_after_akta(sim: Sim):
    day = date(2025, 11, 10)
    sim.set_today(day)
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=14)
    nik = _born(sim, fam, day)
    early = sim.issue("3673", "kia", {"nik_anak": nik, "nama_anak": "Intan",
                                      "no_akta": "3673-LU-10112025-0099"})
    assert early.status_code == 422 and early.json()["kode"] == "AKTA_BELUM_TERBIT"
    number = sim.issue("3673", "akta-kelahiran", akta(fam, nik, "Intan")).json()["no_akta"]
    wrong = sim.issue("3673", "kia", {"nik_anak": nik, "nama_anak": "Intan",
                                      "no_akta": "3673-LU-10112025-0099"})
    assert wrong.json()["kode"] == "AKTA_TIDAK_SESUAI"
    got = sim.issue("3673", "kia", {"nik_anak": nik, "nama_anak": "Intan", "no_akta": number})
    assert got.status_code == 201
    assert got.json() | {"tanggal_terbit": None} == {
        "nik": nik, "nama": "Intan", "jenis": "0-5", "berlaku_sampai": "2030-11-10",
        "tanggal_terbit": None}
    assert sim.person(nik)["kia"]["berlaku_sampai"] == "2030-11-10"


def test_kk_reissue_lists_both_twins_once(sim: Sim):
    day = date(2025, 11, 11)
    sim.set_today(day)
    fam = sim.sample(kecamatan="367302", marital="KAWIN_TERCATAT")
    before = sim.kk(fam["no_kk"])
    twins = [_born(sim, fam, day, "P", order=i, of=2) for i in (1, 2)]
    children = []
    for i, nik in enumerate(twins):
        doc = sim.issue("3673", "akta-kelahiran", akta(fam, nik, f"Kembar {'AB'[i]}")).json()
        children.append({"nik": nik, "nama": f"Kembar {'AB'[i]}", "no_akta": doc["no_akta"]})
    sim.set_today(day + timedelta(days=1))
    got = sim.issue("3673", "kk/terbit-ulang", {"no_kk": fam["no_kk"], "anak": children})
    assert got.status_code == 200, got.text
    out = got.json()
    assert out["no_kk"] == fam["no_kk"] and out["tanggal_terbit"] == "2025-11-12"
    assert out["id_tte"] != before["id_tte"] and sorted(out["ditambahkan"]) == sorted(twins)
    after = sim.kk(fam["no_kk"])
    assert after["jumlah_terbit_ulang"] == before["jumlah_terbit_ulang"] + 1
    rows = {m["nik"]: m for m in after["anggota"]}
    for child in children:
        row = rows[child["nik"]]
        assert (row["hubungan"], row["kode_hubungan"], row["pendidikan"], row["status_kawin"],
                row["kewarganegaraan"], row["no_akta"]) == (
            "ANAK", 4, "TIDAK/BELUM SEKOLAH", "BELUM KAWIN", "WNI", child["no_akta"])
        assert row["nama_ibu"] == fam["ibu"]["nama"] and row["nama_ayah"] == fam["ayah"]["nama"]
    # Adding them again changes nothing: same signature, no new reissue.
    again = sim.issue("3673", "kk/terbit-ulang", {"no_kk": fam["no_kk"], "anak": children[:1]})
    assert again.json()["id_tte"] == out["id_tte"] and again.json()["ditambahkan"] == []
    assert sim.kk(fam["no_kk"])["jumlah_terbit_ulang"] == after["jumlah_terbit_ulang"]


def test_kk_reissue_needs_the_akta_and_the_right_family(sim: Sim):
    day = date(2025, 11, 13)
    sim.set_today(day)
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=15)
    nik = _born(sim, fam, day)
    child = {"nik": nik, "nama": "Yusuf", "no_akta": "3673-LU-13112025-0042"}
    got = sim.issue("3673", "kk/terbit-ulang", {"no_kk": fam["no_kk"], "anak": [child]})
    assert got.json()["kode"] == "AKTA_BELUM_TERBIT"
    other = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=16)
    got = sim.issue("3673", "kk/terbit-ulang", {"no_kk": other["no_kk"], "anak": [child]})
    assert got.json()["kode"] == "ANAK_BUKAN_KELUARGA_INI"
