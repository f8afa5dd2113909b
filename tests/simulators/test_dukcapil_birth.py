"""Dukcapil simulator: family look-up, birth registration (NIK), stillbirth, office routing."""

from __future__ import annotations

from datetime import date

import pytest

from tests.simulators._dukcapil import BACKENDS, Sim, birth, sim_fixture

sim = pytest.fixture(scope="module", params=BACKENDS)(sim_fixture)


def test_offices_and_health(sim: Sim):
    assert sim.http.get("/health").json() == {"status": "ok"}
    assert sim.http.get("/ready").status_code == 200
    offices = sim.http.get("/v1/kantor").json()
    assert [o["kode"] for o in offices] == ["3673", "3604", "3672", "3201"]


def test_lookup_family(sim: Sim):
    fam = sim.sample(kecamatan="367305", marital="KAWIN_TERCATAT")
    got = sim.http.post("/v1/keluarga/cari", json={"no_kk": fam["no_kk"]}).json()
    assert got["kode_kab_kota"] == "3673" and got["kode_kecamatan"] == "367305"
    assert got["kode_kelurahan"].startswith("367305") and got["nama_provinsi"] == "Banten"
    assert got["orang_tua_kawin"] is True and got["kantor_terhubung"] is True
    single = sim.sample(kab_kota="3673", marital="TIDAK_KAWIN")
    got = sim.http.post("/v1/keluarga/cari", json={"no_kk": single["no_kk"]}).json()
    assert got["orang_tua_kawin"] is False
    far = sim.sample(kab_kota="3671")
    got = sim.http.post("/v1/keluarga/cari", json={"no_kk": far["no_kk"]}).json()
    assert got["kantor_terhubung"] is False


def test_lookup_unknown_kk(sim: Sim):
    got = sim.http.post("/v1/keluarga/cari", json={"no_kk": "3673059999990001"})
    assert got.status_code == 404 and got.json()["kode"] == "KK_TIDAK_DITEMUKAN"


def test_girl_in_cipocok_jaya_gets_first_serial(sim: Sim):
    sim.set_today(date(2025, 10, 16))
    fam = sim.sample(kecamatan="367305", marital="KAWIN_TERCATAT", segmen="PBI")
    before = sim.stats()
    got = sim.issue("3673", "kelahiran", birth(fam, date(2025, 10, 16), "P"))
    assert got.status_code == 201, got.text
    assert got.json()["nik"] == "3673055610250001"
    person = sim.person("3673055610250001")
    # A person with a NIK, not yet a row on the KK: the KK reissue adds it later.
    assert person["no_kk"] is None and person["no_kk_tujuan"] == fam["no_kk"]
    assert person["nama"] == f"Bayi Ny. {fam['ibu']['nama']}"
    assert "3673055610250001" not in {m["nik"] for m in sim.kk(fam["no_kk"])["anggota"]}
    assert sim.stats()["nik_bayi"] == before["nik_bayi"] + 1


def test_twin_girls_in_kasemen_get_consecutive_serials(sim: Sim):
    sim.set_today(date(2025, 10, 17))
    fam = sim.sample(kecamatan="367302", marital="KAWIN_TERCATAT")
    niks = [sim.issue("3673", "kelahiran", birth(fam, date(2025, 10, 17), "P", order=i, of=2)
                      ).json()["nik"] for i in (1, 2)]
    assert niks == ["3673025710250001", "3673025710250002"]


def test_boy_and_girl_both_get_0001(sim: Sim):
    sim.set_today(date(2025, 10, 18))
    fam = sim.sample(kecamatan="367301", marital="KAWIN_TERCATAT")
    boy = sim.issue("3673", "kelahiran", birth(fam, date(2025, 10, 18), "L", order=1, of=2))
    girl = sim.issue("3673", "kelahiran", birth(fam, date(2025, 10, 18), "P", order=2, of=2))
    assert boy.json()["nik"] == "3673011810250001"
    assert girl.json()["nik"] == "3673015810250001"


@pytest.mark.parametrize("kab", ["3604", "3672", "3201"])
def test_family_outside_kota_serang_is_served_by_its_own_office(sim: Sim, kab: str):
    sim.set_today(date(2025, 10, 20))
    fam = sim.sample(kab_kota=kab, marital="KAWIN_TERCATAT")
    refused = sim.issue("3673", "kelahiran", birth(fam, date(2025, 10, 20)))
    assert refused.status_code == 422 and refused.json()["kode"] == "BUKAN_WILAYAH_KANTOR"
    assert fam["no_kk"] not in refused.text
    got = sim.issue(kab, "kelahiran", birth(fam, date(2025, 10, 20)))
    assert got.status_code == 201
    assert got.json()["nik"].startswith(fam["domisili"]["kode_kecamatan"] + "601025")


def test_kota_tangerang_has_no_connected_office(sim: Sim):
    fam = sim.sample(kab_kota="3671")
    got = sim.issue("3671", "kelahiran", birth(fam, date(2025, 10, 20)))
    assert got.status_code == 404 and got.json()["kode"] == "KANTOR_TIDAK_TERHUBUNG"
    refused = sim.issue("3673", "kelahiran", birth(fam, date(2025, 10, 20)))
    assert refused.json()["kode"] == "BUKAN_WILAYAH_KANTOR"


def test_legacy_3604_mother_on_kota_serang_kk_gets_kota_serang_prefix(sim: Sim):
    sim.set_today(date(2025, 10, 21))
    fam = sim.sample(kab_kota="3673", legacy_nik=True, marital="KAWIN_TERCATAT")
    parents = [fam["ibu"]["nik"]] + ([fam["ayah"]["nik"]] if fam["ayah"] else [])
    assert any(n.startswith("3604") for n in parents)
    got = sim.issue("3673", "kelahiran", birth(fam, date(2025, 10, 21), "L"))
    assert got.status_code == 201
    assert got.json()["nik"].startswith(fam["domisili"]["kode_kecamatan"] + "211025")


def test_unknown_mother_and_mother_not_on_kk(sim: Sim):
    sim.set_today(date(2025, 10, 22))
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT")
    other = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=99)
    assert other["no_kk"] != fam["no_kk"]
    unknown = birth(fam, date(2025, 10, 22)) | {"nik_ibu": "3673054101990999"}
    got = sim.issue("3673", "kelahiran", unknown)
    assert got.status_code == 404 and got.json()["kode"] == "NIK_IBU_TIDAK_DITEMUKAN"
    stranger = birth(fam, date(2025, 10, 22)) | {"nik_ibu": other["ibu"]["nik"]}
    got = sim.issue("3673", "kelahiran", stranger)
    assert got.status_code == 422 and got.json()["kode"] == "IBU_TIDAK_DI_KK"
    no_kk = birth(fam, date(2025, 10, 22)) | {"no_kk": "3673050101010999"}
    assert sim.issue("3673", "kelahiran", no_kk).json()["kode"] == "KK_TIDAK_DITEMUKAN"


def test_birth_in_the_future_is_refused(sim: Sim):
    sim.set_today(date(2025, 10, 10))
    fam = sim.sample(kab_kota="3673")
    got = sim.issue("3673", "kelahiran", birth(fam, date(2025, 10, 11)))
    assert got.json()["kode"] == "TANGGAL_LAHIR_TIDAK_VALID"


def test_stillbirth_gets_a_certificate_only(sim: Sim):
    sim.set_today(date(2025, 10, 23))
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT")
    before, kk_before = sim.stats(), sim.kk(fam["no_kk"])
    body = {"no_kk": fam["no_kk"], "nik_ibu": fam["ibu"]["nik"], "tanggal_lahir": "2025-10-23",
            "kelahiran_ke": 1, "usia_kandungan_minggu": 34, "nama_fasilitas": "RSUD Banten"}
    got = sim.issue("3673", "lahir-mati", body)
    assert got.status_code == 201
    assert got.json()["nomor_surat"].startswith("3673-LM-23102025-")
    after = sim.stats()
    assert after["lahir_mati"] == before["lahir_mati"] + 1
    assert after["nik_bayi"] == before["nik_bayi"] and after["akta"] == before["akta"]
    assert sim.kk(fam["no_kk"]) == kk_before
    early = sim.issue("3673", "lahir-mati", body | {"usia_kandungan_minggu": 26})
    assert early.json()["kode"] == "USIA_KANDUNGAN_KURANG"


def test_a_child_already_registered_gets_no_second_nik_and_a_lost_answer_is_replayed(sim: Sim):
    sim.set_today(date(2025, 10, 20))
    fam = sim.sample(kecamatan="367305", marital="KAWIN_TERCATAT", segmen="PBI")
    body = birth(fam, date(2025, 10, 20), "P")
    first = sim.issue("3673", "kelahiran", body, key="rs-a/bundle-1/nik/1/0")
    assert first.status_code == 201, first.text
    before = sim.stats()["nik_bayi"]
    # Our retry after a lost answer (the same key and body) still gets the first NIK.
    replay = sim.issue("3673", "kelahiran", body, key="rs-a/bundle-1/nik/1/0")
    assert replay.status_code == 201 and replay.json()["nik"] == first.json()["nik"]
    # The same child asked for again under another key (another bundle, another hospital, or one
    # that skipped our duplicate check): refused, naming the earlier registration, not the NIK.
    again = sim.issue("3673", "kelahiran", {**body, "nama": "Siti Aminah"}, key="rs-b/bundle-9/nik/1/0")
    assert again.status_code == 409 and again.json()["kode"] == "KELAHIRAN_SUDAH_TERDAFTAR"
    assert "pendaftaran no." in again.json()["pesan"] and "2025-10-20" in again.json()["pesan"]
    assert first.json()["nik"] not in again.text
    assert sim.stats()["nik_bayi"] == before
    # A twin (the next birth order) of the same delivery is another child.
    twin = sim.issue("3673", "kelahiran", birth(fam, date(2025, 10, 20), "P", order=2, of=2))
    assert twin.status_code == 201, twin.text
