"""Dukcapil simulator: idempotency, concurrency, faults, readiness, seeding and privacy."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx
import pytest

from tests.simulators._dukcapil import BACKENDS, Sim, akta, birth, new_key, served, sim_fixture

sim = pytest.fixture(scope="module", params=BACKENDS)(sim_fixture)


def test_same_key_same_body_replays_the_first_answer(sim: Sim):
    sim.set_today(date(2025, 12, 1))
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=21)
    body, key = birth(fam, date(2025, 12, 1)), new_key()
    before = sim.stats()["nik_bayi"]
    first = sim.issue("3673", "kelahiran", body, key)
    again = sim.issue("3673", "kelahiran", body, key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert sim.stats()["nik_bayi"] == before + 1


def test_same_key_other_body_is_refused(sim: Sim):
    sim.set_today(date(2025, 12, 2))
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=22)
    key = new_key()
    assert sim.issue("3673", "kelahiran", birth(fam, date(2025, 12, 2)), key).status_code == 201
    other = sim.issue("3673", "kelahiran", birth(fam, date(2025, 12, 2), name="Rizki"), key)
    assert other.status_code == 409 and other.json()["kode"] == "IDEMPOTENCY_KEY_REUSED"
    # The same key on another endpoint is another request too.
    elsewhere = sim.issue("3673", "kia", {"nik_anak": fam["ibu"]["nik"], "nama_anak": "A",
                                          "no_akta": "3673-LU-02122025-0001"}, key)
    assert elsewhere.status_code == 409


def test_a_refusal_is_not_remembered(sim: Sim):
    born = date(2025, 6, 2)
    sim.set_today(born)
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=23)
    nik = sim.issue("3673", "kelahiran", birth(fam, born)).json()["nik"]
    sim.set_today(date(2025, 12, 2))
    key = new_key()
    refused = sim.issue("3673", "akta-kelahiran", akta(fam, nik, "Hasan"), key)
    assert refused.json()["kode"] == "KEPUTUSAN_KADIS_DIPERLUKAN"
    decided = akta(fam, nik, "Hasan", kadis="470/99/2025")
    assert sim.issue("3673", "akta-kelahiran", decided, key).status_code == 201


def test_idempotency_key_is_required(sim: Sim):
    fam = sim.sample(kab_kota="3673")
    got = sim.http.post("/v1/kantor/3673/kelahiran", json=birth(fam, date(2025, 10, 1)))
    assert got.status_code == 422
    # Validation errors never echo the submitted values (they hold NIK and KK numbers).
    assert fam["no_kk"] not in got.text and fam["ibu"]["nik"] not in got.text


async def test_ten_concurrent_identical_requests_issue_one_nik(sim: Sim):
    sim.set_today(date(2025, 12, 3))
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=24)
    body, key = birth(fam, date(2025, 12, 3)), new_key()
    before = sim.stats()["nik_bayi"]
    async with httpx.AsyncClient(base_url=sim.base, timeout=30, headers=sim.bearer) as client:
        answers = await asyncio.gather(*(
            client.post("/v1/kantor/3673/kelahiran", json=body, headers={"Idempotency-Key": key})
            for _ in range(10)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["nik"] for a in answers}) == 1
    assert sim.stats()["nik_bayi"] == before + 1


async def test_concurrent_births_with_one_prefix_get_distinct_serials(sim: Sim):
    day = date(2025, 12, 4)
    sim.set_today(day)
    fam = sim.sample(kecamatan="367303", marital="KAWIN_TERCATAT", seed=25)
    async with httpx.AsyncClient(base_url=sim.base, timeout=30, headers=sim.bearer) as client:
        answers = await asyncio.gather(*(
            client.post("/v1/kantor/3673/kelahiran", headers={"Idempotency-Key": new_key()},
                        json=birth(fam, day, "L", order=i, of=5)) for i in range(1, 6)))
    niks = sorted(a.json()["nik"] for a in answers)
    assert niks == [f"367303041225{n:04d}" for n in range(1, 6)]


@pytest.mark.parametrize(("endpoint", "path"), [
    ("register_birth", "kelahiran"), ("stillbirth", "lahir-mati"), ("akta", "akta-kelahiran"),
    ("kia", "kia"), ("kk_reissue", "kk/terbit-ulang")])
def test_faults_answer_the_chosen_status(sim: Sim, endpoint: str, path: str):
    fault = {"endpoint": endpoint, "status_code": 503, "remaining": 1}
    assert sim.admin("POST", "/admin/faults", json=fault).status_code == 201
    got = sim.issue("3673", path, {})
    assert got.status_code == 503 and got.json()["kode"] == "GANGGUAN_SIMULASI"
    assert sim.issue("3673", path, {}).status_code == 422  # fault used up: real validation


def test_lookup_fault_and_admin_token(sim: Sim):
    assert sim.http.get("/admin/faults").status_code == 401
    sim.admin("POST", "/admin/faults", json={"endpoint": "lookup", "status_code": 429})
    fam = sim.sample(kab_kota="3673")
    assert sim.http.post("/v1/keluarga/cari", json={"no_kk": fam["no_kk"]}).status_code == 429
    sim.admin("DELETE", "/admin/faults")
    assert sim.http.post("/v1/keluarga/cari", json={"no_kk": fam["no_kk"]}).status_code == 200


def test_unknown_office(sim: Sim):
    got = sim.issue("9999", "kelahiran", birth(sim.sample(kab_kota="3673"), date(2025, 10, 1)))
    assert got.status_code == 404 and got.json()["kode"] == "KANTOR_TIDAK_TERHUBUNG"


def test_sampling_is_deterministic_and_filters(sim: Sim):
    params = {"segmen": "PPU", "anak": 3, "limit": 3, "seed": 7}
    first = sim.http.get("/v1/sampel/keluarga", params=params).json()
    assert first == sim.http.get("/v1/sampel/keluarga", params=params).json()
    assert first and all(f["segmen_bpjs"] == "PPU" and f["jumlah_anak"] == 3 for f in first)
    for f in first:
        assert len(f["saksi"]) == 2 and {w["nik"] for w in f["saksi"]}.isdisjoint(
            {f["ibu"]["nik"], (f["ayah"] or {}).get("nik")})
        assert f["upah_ppu"] and f["kelas_bpjs"] in ("1", "2")
    single = sim.sample(marital="TIDAK_KAWIN", kab_kota="3673")
    assert single["ayah"] is None and single["no_buku_nikah"] is None
    assert sim.http.get("/v1/sampel/keluarga", params={"kab_kota": "9999"}).json() == []


def test_no_personal_identifier_in_any_path(sim: Sim):
    spec = sim.http.get("/openapi.json").json()
    params = {p for path in spec["paths"] for p in path.split("/") if p.startswith("{")}
    assert params == {"{kode}"}


def test_seeding_happens_once(tmp_path):
    with served("sqlite", tmp_path) as first:
        first.set_today(date(2025, 12, 5))
        fam = first.sample(kab_kota="3673", marital="KAWIN_TERCATAT")
        assert first.issue("3673", "kelahiran", birth(fam, date(2025, 12, 5))).status_code == 201
        stats = first.stats()
    with served("sqlite", tmp_path) as second:
        assert second.http.get("/ready").status_code == 200
        assert second.stats() == stats and stats["keluarga"] == 600


def test_import_boundaries():
    """The simulator never sees our adapters or contracts; the adapter never sees the simulator."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for path in (root / "simulators" / "dukcapil").glob("*.py"):
        text = path.read_text()
        assert "adapters" not in text and "domain.contracts" not in text, path.name
    for path in (root / "adapters" / "dukcapil").glob("*.py"):
        assert "simulators" not in path.read_text(), path.name
