"""Dukcapil simulator: follow-ups after issue (akta kematian, KK member changes, akta correction,
KIA reissue), their refusals, idempotent replays and the inspection views."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

from simulators.dukcapil.rules import UNMARRIED_PHRASE
from tests.simulators._dukcapil import BACKENDS, Sim, akta, birth, new_key, served, sim_fixture

sim = pytest.fixture(scope="module", params=BACKENDS)(sim_fixture)


def _issued(sim: Sim, fam: dict, day: date, name: str, *, kia: bool = True, kk: bool = True,
            sex: str = "P", **akta_kw) -> dict:
    """A child with NIK, akta (and by default KIA and a KK reissue listing it), born `day`."""
    office = fam["domisili"]["kode_kab_kota"]
    got = sim.issue(office, "kelahiran", birth(fam, day, sex))
    assert got.status_code == 201, got.text
    nik = got.json()["nik"]
    doc = sim.issue(office, "akta-kelahiran", akta(fam, nik, name, **akta_kw))
    assert doc.status_code == 201, doc.text
    number = doc.json()["no_akta"]
    if kia:
        got = sim.issue(office, "kia", {"nik_anak": nik, "nama_anak": name, "no_akta": number})
        assert got.status_code == 201, got.text
    if kk:
        got = sim.issue(office, "kk/terbit-ulang", {"no_kk": fam["no_kk"], "anak": [
            {"nik": nik, "nama": name, "no_akta": number}]})
        assert got.status_code == 200, got.text
    return {"nik": nik, "akta": number, "office": office, "no_kk": fam["no_kk"],
            "wording": doc.json()["keterangan_orang_tua"]}


def _death(child: dict, died: date, place: str = "RSUD Banten") -> dict:
    return {"nik_anak": child["nik"], "no_kk": child["no_kk"],
            "tanggal_meninggal": died.isoformat(), "tempat_meninggal": place}


def _remove(child: dict) -> dict:
    return {"no_kk": child["no_kk"], "nik": child["nik"], "action": "remove_deceased"}


def _koreksi(child: dict, name: str | None, *, old: str | None = None,
             father: str | None = None) -> dict:
    return {"nik_anak": child["nik"], "no_akta_lama": old or child["akta"], "nama_anak": name,
            "nik_ayah": father, "alasan": "Salah tulis nama pada formulir F-2.01"}


# --- akta kematian ----------------------------------------------------------------------------


def test_akta_kematian_is_numbered_and_the_akta_kelahiran_stands(sim: Sim):
    born, today = date(2026, 1, 5), date(2026, 1, 12)
    sim.set_today(born)
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=31)
    child = _issued(sim, fam, born, "Nadia")
    before = sim.stats()
    sim.set_today(today)
    key = new_key()
    got = sim.issue("3673", "akta-kematian", _death(child, date(2026, 1, 10)), key)
    assert got.status_code == 201, got.text
    out = got.json()
    assert out == {"no_akta_kematian": "3673-KM-12012026-0001", "nik": child["nik"],
                   "nama": "Nadia", "tanggal_meninggal": "2026-01-10",
                   "tempat_meninggal": "RSUD Banten", "tanggal_terbit": "2026-01-12"}
    person = sim.person(child["nik"])
    assert person["no_akta_kematian"] == out["no_akta_kematian"]
    assert person["no_akta"] == child["akta"] and person["no_akta_diganti"] == []
    # The same key replays the first answer; a new key is a second akta kematian.
    again = sim.issue("3673", "akta-kematian", _death(child, date(2026, 1, 10)), key)
    assert (again.status_code, again.json()) == (201, out)
    second = sim.issue("3673", "akta-kematian", _death(child, date(2026, 1, 10)))
    assert second.status_code == 422 and second.json()["kode"] == "AKTA_KEMATIAN_SUDAH_TERBIT"
    after = sim.stats()
    assert after["akta_kematian"] == before["akta_kematian"] + 1
    assert after["akta"] == before["akta"]


def test_akta_kematian_counter_runs_per_office_and_date(sim: Sim):
    born, today = date(2026, 1, 13), date(2026, 1, 14)
    sim.set_today(born)
    children = [_issued(sim, sim.sample(kab_kota=kab, marital="KAWIN_TERCATAT", seed=seed),
                        born, "Anak", kia=False, kk=False)
                for kab, seed in (("3673", 32), ("3673", 33), ("3604", 34))]
    sim.set_today(today)
    numbers = [sim.issue(c["office"], "akta-kematian", _death(c, today)).json()["no_akta_kematian"]
               for c in children]
    assert numbers == ["3673-KM-14012026-0001", "3673-KM-14012026-0002",
                       "3604-KM-14012026-0001"]


def test_akta_kematian_refusals(sim: Sim):
    born = date(2026, 1, 15)
    sim.set_today(born)
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=35)
    nik = sim.issue("3673", "kelahiran", birth(fam, born)).json()["nik"]
    bare = {"nik": nik, "no_kk": fam["no_kk"]}
    got = sim.issue("3673", "akta-kematian", _death(bare, born))
    assert got.json()["kode"] == "AKTA_BELUM_TERBIT"  # an akta kelahiran comes first
    number = sim.issue("3673", "akta-kelahiran", akta(fam, nik, "Putra")).json()["no_akta"]
    child = bare | {"akta": number}
    cases = [
        ("3673", _death(child, born - timedelta(days=1)), 422, "TANGGAL_MENINGGAL_TIDAK_VALID"),
        ("3673", _death(child, born + timedelta(days=1)), 422, "TANGGAL_MENINGGAL_TIDAK_VALID"),
        ("3673", _death(child | {"nik": "3673055501269999"}, born), 404,
         "NIK_ANAK_TIDAK_DITEMUKAN"),
        ("3604", _death(child, born), 422, "BUKAN_WILAYAH_KANTOR"),
        ("3671", _death(child, born), 404, "KANTOR_TIDAK_TERHUBUNG"),
    ]
    for office, body, status, kode in cases:
        got = sim.issue(office, "akta-kematian", body)
        assert (got.status_code, got.json()["kode"]) == (status, kode), body
        assert nik not in got.text and fam["no_kk"] not in got.text
    other = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=36)
    got = sim.issue("3673", "akta-kematian", _death(child | {"no_kk": other["no_kk"]}, born))
    assert got.json()["kode"] == "ANAK_BUKAN_KELUARGA_INI"
    # Refusals are not remembered: the same key succeeds once the request is right.
    key = new_key()
    assert sim.issue("3673", "akta-kematian", _death(child, born + timedelta(days=1)),
                     key).status_code == 422
    assert sim.issue("3673", "akta-kematian", _death(child, born), key).status_code == 201


# --- KK: removing a deceased member -----------------------------------------------------------


def test_removing_a_deceased_member_reissues_the_kk(sim: Sim):
    born = date(2026, 1, 16)
    sim.set_today(born)
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=37)
    child = _issued(sim, fam, born, "Zahra")
    early = sim.issue("3673", "kk/anggota", _remove(child))
    assert early.status_code == 422 and early.json()["kode"] == "BELUM_ADA_AKTA_KEMATIAN"
    assert sim.issue("3673", "akta-kematian", _death(child, born)).status_code == 201
    before = sim.kk(fam["no_kk"])
    assert child["nik"] in {m["nik"] for m in before["anggota"]}
    sim.set_today(born + timedelta(days=2))
    key = new_key()
    got = sim.issue("3673", "kk/anggota", _remove(child), key)
    assert got.status_code == 200, got.text
    out = got.json()
    assert out["no_kk"] == fam["no_kk"] and out["tanggal_terbit"] == "2026-01-18"
    assert out["id_tte"] != before["id_tte"] and out["id_tte"].startswith("TTE-")
    assert out["jumlah_terbit_ulang"] == before["jumlah_terbit_ulang"] + 1 and out["diubah"]
    after = sim.kk(fam["no_kk"])
    assert child["nik"] not in {m["nik"] for m in after["anggota"]}
    assert len(after["anggota"]) == len(before["anggota"]) - 1
    assert (after["id_tte"], after["tanggal_terbit"]) == (out["id_tte"], "2026-01-18")
    # The akta kelahiran stands; the person is no longer on a KK.
    person = sim.person(child["nik"])
    assert person["no_akta"] == child["akta"] and person["no_kk"] is None
    # Same key: the first answer. A new key: the change is already there, nothing is reissued.
    assert sim.issue("3673", "kk/anggota", _remove(child), key).json() == out
    noop = sim.issue("3673", "kk/anggota", _remove(child))
    assert noop.status_code == 200
    assert noop.json() == out | {"diubah": False}
    # A KK reissue listing the child again does not bring the row back.
    again = sim.issue("3673", "kk/terbit-ulang", {"no_kk": fam["no_kk"], "anak": [
        {"nik": child["nik"], "nama": "Zahra", "no_akta": child["akta"]}]})
    assert again.status_code == 200 and again.json()["ditambahkan"] == []
    assert sim.kk(fam["no_kk"]) == after


def test_removing_refusals(sim: Sim):
    born = date(2026, 1, 19)
    sim.set_today(born)
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=38)
    child = _issued(sim, fam, born, "Raka", kk=False)
    assert sim.issue("3673", "akta-kematian", _death(child, born)).status_code == 201
    never_on = sim.issue("3673", "kk/anggota", _remove(child))
    assert never_on.json()["kode"] == "BUKAN_ANGGOTA_KK"
    unknown = sim.issue("3673", "kk/anggota", _remove(child | {"nik": "3673051901269999"}))
    assert unknown.status_code == 404 and unknown.json()["kode"] == "NIK_TIDAK_DITEMUKAN"
    wrong_office = sim.issue("3604", "kk/anggota", _remove(child))
    assert wrong_office.json()["kode"] == "BUKAN_WILAYAH_KANTOR"
    mixed = sim.issue("3673", "kk/anggota", _remove(child) | {"nama": "Raka"})
    assert mixed.status_code == 422 and "kode" not in mixed.json()


# --- akta correction, KIA reissue and KK update -----------------------------------------------


def test_correction_reissues_the_akta_under_a_new_number(sim: Sim):
    born, today = date(2026, 1, 20), date(2026, 1, 22)
    sim.set_today(born)
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=39)
    child = _issued(sim, fam, born, "Aisah Putri")
    kk_before = sim.kk(fam["no_kk"])
    stats = sim.stats()
    sim.set_today(today)
    key = new_key()
    got = sim.issue("3673", "akta-kelahiran/koreksi", _koreksi(child, "Aisyah Putri"), key)
    assert got.status_code == 201, got.text
    out = got.json()
    assert out["no_akta"].startswith("3673-LU-22012026-") and out["no_akta"] != child["akta"]
    assert (out["no_akta_lama"], out["nik"], out["nama"], out["tanggal_terbit"]) == (
        child["akta"], child["nik"], "Aisyah Putri", "2026-01-22")
    assert out["keterangan_orang_tua"] == "kedua_orang_tua" and not out["terlambat"]
    assert "Aisyah Putri" in out["teks"] and fam["ayah"]["nama"] in out["teks"]
    person = sim.person(child["nik"])
    assert (person["nik"], person["nama"], person["no_akta"], person["no_akta_diganti"]) == (
        child["nik"], "Aisyah Putri", out["no_akta"], [child["akta"]])
    after = sim.stats()
    assert after["akta_koreksi"] == stats["akta_koreksi"] + 1 and after["akta"] == stats["akta"]
    # The KK keeps printing the old row until the KK itself is updated.
    assert sim.kk(fam["no_kk"]) == kk_before
    # Replays and a superseded number.
    assert sim.issue("3673", "akta-kelahiran/koreksi", _koreksi(child, "Aisyah Putri"),
                     key).json() == out
    stale = sim.issue("3673", "akta-kelahiran/koreksi", _koreksi(child, "Aisyah P."))
    assert stale.status_code == 422 and stale.json()["kode"] == "AKTA_TIDAK_SESUAI"
    # A second correction supersedes the first reissue; the chain is listed oldest first.
    sim.set_today(today + timedelta(days=1))
    third = sim.issue("3673", "akta-kelahiran/koreksi",
                      _koreksi(child, "Aisyah Putri Ramadhani", old=out["no_akta"]))
    assert third.status_code == 201, third.text
    assert sim.person(child["nik"])["no_akta_diganti"] == [child["akta"], out["no_akta"]]
    assert sim.kk(fam["no_kk"]) == kk_before


def test_correction_on_the_day_of_issue_never_reuses_the_number(sim: Sim):
    day = date(2026, 1, 24)
    sim.set_today(day)
    fam = sim.sample(kab_kota="3604", marital="KAWIN_TERCATAT", seed=40)
    child = _issued(sim, fam, day, "Dani", kia=False, kk=False)
    got = sim.issue("3604", "akta-kelahiran/koreksi", _koreksi(child, "Danu"))
    assert got.status_code == 201, got.text
    old_counter = int(child["akta"].rsplit("-", 1)[1])
    assert got.json()["no_akta"] == f"3604-LU-24012026-{old_counter + 1:04d}"
    assert sim.person(child["nik"])["nama"] == "Danu"


def test_correction_reapplies_the_parents_wording_rule(sim: Sim):
    day = date(2026, 1, 25)
    sim.set_today(day)
    other_man = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=41)["ayah"]["nik"]
    # SPTJM akta: the corrected father must still be the husband on the KK.
    fam = sim.sample(kab_kota="3673", marital="KAWIN_BELUM_TERCATAT", seed=42)
    child = _issued(sim, fam, day, "Siti", kia=False, kk=False, proof=False, sptjm=True)
    assert child["wording"] == "perkawinan_belum_tercatat"
    refused = sim.issue("3673", "akta-kelahiran/koreksi",
                        _koreksi(child, "Siti Aminah", father=other_man))
    assert refused.json()["kode"] == "SPTJM_TIDAK_SAH"
    got = sim.issue("3673", "akta-kelahiran/koreksi",
                    _koreksi(child, "Siti Aminah", father=fam["ayah"]["nik"]))
    assert got.json()["keterangan_orang_tua"] == "perkawinan_belum_tercatat"
    assert UNMARRIED_PHRASE in got.json()["teks"] and fam["ayah"]["nama"] in got.json()["teks"]
    # Marriage proof: another father does not match the proof the akta was issued on.
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=43)
    child = _issued(sim, fam, day, "Bima", kia=False, kk=False, sex="L")
    refused = sim.issue("3673", "akta-kelahiran/koreksi", _koreksi(child, None, father=other_man))
    assert refused.json()["kode"] == "BUKTI_PERKAWINAN_TIDAK_SESUAI"
    # Mother-only akta: without proof a father cannot be named, as at the first issue.
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=44)
    child = _issued(sim, fam, day, "Citra", kia=False, kk=False, proof=False, father=None)
    got = sim.issue("3673", "akta-kelahiran/koreksi",
                    _koreksi(child, None, father=fam["ayah"]["nik"]))
    assert got.status_code == 201 and got.json()["keterangan_orang_tua"] == "anak_seorang_ibu"
    assert got.json()["nama"] == "Citra" and fam["ayah"]["nama"] not in got.json()["teks"]
    assert sim.person(child["nik"])["nik_ayah"] is None


def test_correction_refusals(sim: Sim):
    day = date(2026, 1, 26)
    sim.set_today(day)
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=45)
    nik = sim.issue("3673", "kelahiran", birth(fam, day)).json()["nik"]
    no_akta = {"nik": nik, "akta": "3673-LU-26012026-0999"}
    assert sim.issue("3673", "akta-kelahiran/koreksi",
                     _koreksi(no_akta, "X")).json()["kode"] == "AKTA_BELUM_TERBIT"
    unknown = sim.issue("3673", "akta-kelahiran/koreksi",
                        _koreksi(no_akta | {"nik": "3673056601269999"}, "X"))
    assert unknown.status_code == 404 and unknown.json()["kode"] == "NIK_ANAK_TIDAK_DITEMUKAN"
    number = sim.issue("3673", "akta-kelahiran", akta(fam, nik, "Eka")).json()["no_akta"]
    child = {"nik": nik, "akta": number}
    wrong = sim.issue("3673", "akta-kelahiran/koreksi", _koreksi(child, "Eko", old=no_akta["akta"]))
    assert wrong.json()["kode"] == "AKTA_TIDAK_SESUAI"
    # Nothing to correct: the same name (or none) and the same father would only supersede a valid akta.
    same_father = _koreksi(child, "Eka", father=fam["ayah"]["nik"])
    for same in (_koreksi(child, "Eka"), _koreksi(child, None), same_father):
        unchanged = sim.issue("3673", "akta-kelahiran/koreksi", same)
        assert unchanged.status_code == 422 and unchanged.json()["kode"] == "KOREKSI_TANPA_PERUBAHAN"
    assert sim.person(nik)["no_akta"] == number
    assert sim.issue("3604", "akta-kelahiran/koreksi",
                     _koreksi(child, "Eko")).json()["kode"] == "BUKAN_WILAYAH_KANTOR"
    no_reason = sim.issue("3673", "akta-kelahiran/koreksi", _koreksi(child, "Eko") | {"alasan": ""})
    assert no_reason.status_code == 422 and nik not in no_reason.text


def test_kia_reissue_and_kk_update_follow_the_correction(sim: Sim):
    born, today = date(2026, 1, 27), date(2026, 2, 3)
    sim.set_today(born)
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=46)
    child = _issued(sim, fam, born, "Fikri", sex="L")
    kia_before = sim.person(child["nik"])["kia"]
    sim.set_today(today)
    new = sim.issue("3673", "akta-kelahiran/koreksi", _koreksi(child, "Fikri Ananda")).json()
    stats = sim.stats()
    # KIA: the old akta number no longer fits, nor does another name.
    body = {"nik_anak": child["nik"], "nama_anak": "Fikri Ananda", "no_akta": new["no_akta"]}
    stale = sim.issue("3673", "kia/terbit-ulang", body | {"no_akta": child["akta"]})
    assert stale.json()["kode"] == "AKTA_TIDAK_SESUAI"
    assert sim.issue("3673", "kia/terbit-ulang",
                     body | {"nama_anak": "Fikri"}).json()["kode"] == "NAMA_BERBEDA_DENGAN_AKTA"
    key = new_key()
    got = sim.issue("3673", "kia/terbit-ulang", body, key)
    assert got.status_code == 201, got.text
    kia = got.json()
    assert kia == {"nik": child["nik"], "nama": "Fikri Ananda", "jenis": "0-5",
                   "berlaku_sampai": "2031-01-27", "tanggal_terbit": "2026-02-03"}
    assert sim.issue("3673", "kia/terbit-ulang", body, key).json() == kia
    assert sim.person(child["nik"])["kia"] == {
        "jenis": "0-5", "berlaku_sampai": "2031-01-27", "tanggal_terbit": "2026-02-03"}
    assert kia_before["tanggal_terbit"] == "2026-01-27"
    after = sim.stats()
    assert after["kia_terbit_ulang"] == stats["kia_terbit_ulang"] + 1
    assert after["kia"] == stats["kia"]
    # KK: the row takes the corrected name and number, with the same reissue semantics.
    kk_before = sim.kk(fam["no_kk"])
    update = {"no_kk": fam["no_kk"], "nik": child["nik"], "action": "update",
              "nama": "Fikri Ananda", "no_akta": new["no_akta"]}
    assert sim.issue("3673", "kk/anggota",
                     update | {"nama": "Fikri"}).json()["kode"] == "NAMA_BERBEDA_DENGAN_AKTA"
    assert sim.issue("3673", "kk/anggota",
                     update | {"no_akta": child["akta"]}).json()["kode"] == "AKTA_TIDAK_SESUAI"
    key = new_key()
    got = sim.issue("3673", "kk/anggota", update, key)
    assert got.status_code == 200, got.text
    out = got.json()
    assert (out["no_kk"], out["tanggal_terbit"], out["diubah"]) == (
        fam["no_kk"], "2026-02-03", True)
    assert out["id_tte"] != kk_before["id_tte"]
    assert out["jumlah_terbit_ulang"] == kk_before["jumlah_terbit_ulang"] + 1
    rows = {m["nik"]: m for m in sim.kk(fam["no_kk"])["anggota"]}
    assert (rows[child["nik"]]["nama"], rows[child["nik"]]["no_akta"]) == (
        "Fikri Ananda", new["no_akta"])
    assert len(rows) == len(kk_before["anggota"])
    assert sim.issue("3673", "kk/anggota", update, key).json() == out
    noop = sim.issue("3673", "kk/anggota", update)
    assert noop.json() == out | {"diubah": False}


def test_kia_reissue_and_kk_update_refusals(sim: Sim):
    day = date(2026, 2, 4)
    sim.set_today(day)
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=47)
    child = _issued(sim, fam, day, "Gita", kia=False, kk=False)
    body = {"nik_anak": child["nik"], "nama_anak": "Gita", "no_akta": child["akta"]}
    got = sim.issue("3673", "kia/terbit-ulang", body)
    assert got.status_code == 422 and got.json()["kode"] == "KIA_BELUM_TERBIT"
    unknown = sim.issue("3673", "kia/terbit-ulang", body | {"nik_anak": "3673054402269999"})
    assert unknown.status_code == 404 and unknown.json()["kode"] == "NIK_ANAK_TIDAK_DITEMUKAN"
    update = {"no_kk": fam["no_kk"], "nik": child["nik"], "action": "update", "nama": "Gita"}
    assert sim.issue("3673", "kk/anggota", update).json()["kode"] == "BUKAN_ANGGOTA_KK"
    # Nothing pending: updating a row the KK already shows is a no-op.
    other = _issued(sim, sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=48), day,
                    "Hana", kia=False)
    kk = sim.kk(other["no_kk"])
    got = sim.issue("3673", "kk/anggota", {"no_kk": other["no_kk"], "nik": other["nik"],
                                           "action": "update", "no_akta": other["akta"]})
    assert got.status_code == 200 and not got.json()["diubah"]
    assert got.json()["id_tte"] == kk["id_tte"]


# --- faults, statistics, older databases ------------------------------------------------------


def test_follow_up_fault_points(sim: Sim):
    names = sim.admin("GET", "/admin/faults/endpoints").json()
    assert {"akta_kematian", "kk_member", "akta_koreksi", "kia_reissue"} <= set(names)
    fault = {"endpoint": "akta_koreksi", "status_code": 503, "remaining": 1}
    assert sim.admin("POST", "/admin/faults", json=fault).status_code == 201
    got = sim.issue("3673", "akta-kelahiran/koreksi",
                    _koreksi({"nik": "3673050101260001", "akta": "3673-LU-01012026-0001"}, "A"))
    assert got.status_code == 503 and got.json()["kode"] == "GANGGUAN_SIMULASI"


def test_database_from_before_the_follow_ups_keeps_working(tmp_path):
    """An SQLite data folder created before these tables existed gains them on start."""
    with served("sqlite", tmp_path, families=60) as old:
        day = date(2026, 2, 5)
        old.set_today(day)
        child = _issued(old, old.sample(kab_kota="3673", marital="KAWIN_TERCATAT"), day, "Ira")
    db = sqlite3.connect(tmp_path / "db" / "dukcapil.db")
    for table in ("aktakematian", "akta_superseded", "kkbarislama", "kkperubahan",
                  "kiaterbitulang"):
        db.execute(f"DROP TABLE {table}")
    db.commit()
    db.close()
    with served("sqlite", tmp_path, families=60) as sim:
        sim.set_today(day)
        assert sim.stats()["akta_kematian"] == 0
        assert sim.issue("3673", "akta-kematian", _death(child, day)).status_code == 201
        assert sim.issue("3673", "kk/anggota", _remove(child)).json()["diubah"]
        assert sim.person(child["nik"])["no_akta"] == child["akta"]
