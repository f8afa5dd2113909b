"""Contract tests: the real DukcapilClient against the real simulator over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import date

import httpx
import pytest
from fastapi import FastAPI, Response

from adapters.dukcapil.client import DukcapilClient
from adapters.dukcapil.port import DukcapilPort
from adapters.errors import BusinessRejection, TransientError
from domain.contracts import (
    AktaInput,
    KiaInput,
    KkChild,
    KkReissueInput,
    RegisterBirthInput,
    StillbirthInput,
)
from tests.simulators._dukcapil import CLIENT, Sim, new_key, served
from tests.support.servers import free_port, serve_app


@pytest.fixture(scope="module")
def sim(tmp_path_factory) -> Iterator[Sim]:
    with served("sqlite", tmp_path_factory.mktemp("dukcapil-contract")) as s:
        yield s


def dukcapil(base: str, **kw) -> DukcapilClient:
    """The adapter with the credentials the test simulators register."""
    return DukcapilClient(base, client_id=CLIENT[0], client_secret=CLIENT[1], **kw)


@pytest.fixture
async def client(sim: Sim) -> AsyncIterator[DukcapilClient]:
    c = dukcapil(sim.base, timeout=10)
    yield c
    await c.aclose()


def _birth(fam: dict, day: date, *, sex="female", order=1, of=1, **kw) -> RegisterBirthInput:
    fields = dict(
        office=fam["domisili"]["kode_kab_kota"], idempotency_key=new_key(),
        kk_number=fam["no_kk"], mother_nik=fam["ibu"]["nik"],
        father_nik=fam["ayah"]["nik"] if fam["ayah"] else None, birth_date=day,
        birth_time="07:45:00", birth_place_kab_kota="3673", facility_name="RSUD Banten",
        sex=sex, name=f"Bayi Ny. {fam['ibu']['nama']}", birth_order=order, multiplicity=of,
        weight_grams=3000, length_cm=49.0)
    return RegisterBirthInput(**(fields | kw))


def _akta(fam: dict, nik: str, name: str, **kw) -> AktaInput:
    fields = dict(
        office=fam["domisili"]["kode_kab_kota"], idempotency_key=new_key(), child_nik=nik,
        child_name=name, kk_number=fam["no_kk"], mother_nik=fam["ibu"]["nik"],
        father_nik=fam["ayah"]["nik"] if fam["ayah"] else None,
        marriage_proof_number=fam["no_buku_nikah"], sptjm_marriage=False,
        witness_niks=[w["nik"] for w in fam["saksi"]], birth_place_kab_kota="3673",
        facility_name="RSUD Banten", attendant="midwife")
    return AktaInput(**(fields | kw))


def test_client_satisfies_the_port():
    port: DukcapilPort = dukcapil("http://127.0.0.1:1")
    assert callable(port.register_birth)


async def test_offices_and_lookup(client: DukcapilClient, sim: Sim):
    assert await client.offices() == ["3673", "3604", "3672", "3201"]
    fam = sim.sample(kab_kota="3604", marital="KAWIN_BELUM_TERCATAT")
    info = await client.lookup_family(fam["no_kk"])
    assert (info.kk_number, info.kab_kota, info.kecamatan) == (
        fam["no_kk"], "3604", fam["domisili"]["kode_kecamatan"])
    assert info.parents_married_on_kk and info.office_connected
    far = await client.lookup_family(sim.sample(kab_kota="3671")["no_kk"])
    assert not far.office_connected
    with pytest.raises(BusinessRejection) as exc:
        await client.lookup_family("3673059999990001")
    assert exc.value.reason == "KK_TIDAK_DITEMUKAN"


async def test_whole_bundle_for_twins(client: DukcapilClient, sim: Sim):
    day = date(2025, 10, 17)
    sim.set_today(day)
    fam = sim.sample(kecamatan="367302", marital="KAWIN_TERCATAT", segmen="PBI")
    niks = [(await client.register_birth(_birth(fam, day, order=i, of=2))).nik for i in (1, 2)]
    assert niks == ["3673025710250001", "3673025710250002"]
    children = []
    for i, nik in enumerate(niks, start=1):
        doc = await client.issue_akta(_akta(fam, nik, f"Putri {'ABC'[i]}"))
        assert doc.register_number.startswith("3673-LU-17102025-") and not doc.late
        assert doc.parents_wording == "kedua_orang_tua" and doc.issued_on == day
        kia = await client.issue_kia(KiaInput(office="3673", idempotency_key=new_key(),
                                              child_nik=nik, child_name=f"Putri {'ABC'[i]}",
                                              akta_number=doc.register_number))
        assert (kia.nik, kia.card_type, kia.valid_until) == (nik, "0-5", date(2030, 10, 17))
        children.append(KkChild(nik=nik, name=f"Putri {'ABC'[i]}", akta_number=doc.register_number))
    kk = await client.reissue_kk(KkReissueInput(office="3673", idempotency_key=new_key(),
                                                kk_number=fam["no_kk"], children=children))
    assert kk.kk_number == fam["no_kk"] and kk.issued_on == day
    assert kk.signature_id.startswith("TTE-")
    assert {m["nik"] for m in sim.kk(fam["no_kk"])["anggota"]} >= set(niks)


async def test_stillbirth(client: DukcapilClient, sim: Sim):
    sim.set_today(date(2025, 10, 20))
    fam = sim.sample(kab_kota="3672", marital="KAWIN_TERCATAT")
    got = await client.record_stillbirth(StillbirthInput(
        office="3672", idempotency_key=new_key(), kk_number=fam["no_kk"],
        mother_nik=fam["ibu"]["nik"], birth_date=date(2025, 10, 19), birth_order=1,
        gestational_age_weeks=30, facility_name="RSUD Cilegon"))
    assert got.certificate_number.startswith("3672-LM-20102025-")


async def test_business_refusals_carry_the_reason(client: DukcapilClient, sim: Sim):
    day = date(2025, 10, 21)
    sim.set_today(day)
    fam = sim.sample(kab_kota="3604", marital="KAWIN_TERCATAT")
    cases = [
        (_birth(fam, day, office="3673"), "BUKAN_WILAYAH_KANTOR"),
        (_birth(fam, day, office="3671"), "KANTOR_TIDAK_TERHUBUNG"),
        (_birth(fam, day, mother_nik="3604016101990999"), "NIK_IBU_TIDAK_DITEMUKAN"),
    ]
    for req, reason in cases:
        with pytest.raises(BusinessRejection) as exc:
            await client.register_birth(req)
        assert exc.value.reason == reason
        assert fam["no_kk"] not in str(exc.value) and fam["ibu"]["nik"] not in str(exc.value)
    nik = (await client.register_birth(_birth(fam, day))).nik
    with pytest.raises(BusinessRejection) as exc:
        await client.issue_akta(_akta(fam, nik, "Nur", marriage_proof_number=None,
                                      sptjm_marriage=True, father_nik=None))
    assert exc.value.reason == "SPTJM_TIDAK_SAH"
    with pytest.raises(BusinessRejection) as exc:
        await client.issue_kia(KiaInput(office="3604", idempotency_key=new_key(), child_nik=nik,
                                         child_name="Nur", akta_number="3604-LU-21102025-0001"))
    assert exc.value.reason == "AKTA_BELUM_TERBIT"


async def test_late_akta_needs_a_decision(client: DukcapilClient, sim: Sim):
    born = date(2025, 7, 1)
    sim.set_today(born)
    fam = sim.sample(kab_kota="3201", marital="KAWIN_TERCATAT")
    nik = (await client.register_birth(_birth(fam, born, sex="male"))).nik
    assert nik.startswith(fam["domisili"]["kode_kecamatan"] + "010725")
    sim.set_today(date(2025, 10, 1))
    with pytest.raises(BusinessRejection) as exc:
        await client.issue_akta(_akta(fam, nik, "Ahmad"))
    assert exc.value.reason == "KEPUTUSAN_KADIS_DIPERLUKAN"
    doc = await client.issue_akta(_akta(fam, nik, "Ahmad", kadis_decision_number="470/1/2025"))
    assert doc.late and doc.register_number.startswith("3201-LT-01102025-")


async def test_malformed_request_is_ours_to_fix(client: DukcapilClient, sim: Sim):
    fam = sim.sample(kab_kota="3673")
    with pytest.raises(BusinessRejection) as exc:
        await client.register_birth(_birth(fam, date(2025, 10, 1), weight_grams=100))
    assert exc.value.reason == "PERMINTAAN_TIDAK_VALID" and "berat_gram" in exc.value.message
    assert fam["ibu"]["nik"] not in str(exc.value)


async def test_same_key_twice_returns_the_same_nik(client: DukcapilClient, sim: Sim):
    sim.set_today(date(2025, 10, 22))
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=3)
    req = _birth(fam, date(2025, 10, 22))
    answers = await asyncio.gather(*(client.register_birth(req) for _ in range(10)))
    assert len({a.nik for a in answers}) == 1
    with pytest.raises(BusinessRejection) as exc:
        await client.register_birth(req.model_copy(update={"name": "Lain"}))
    assert exc.value.reason == "IDEMPOTENCY_KEY_REUSED"


@pytest.mark.parametrize("status", [500, 503, 429])
async def test_server_faults_are_transient(client: DukcapilClient, sim: Sim, status: int):
    fault = {"endpoint": "register_birth", "status_code": status, "remaining": 1}
    sim.admin("POST", "/admin/faults", json=fault)
    fam = sim.sample(kab_kota="3673")
    with pytest.raises(TransientError) as exc:
        await client.register_birth(_birth(fam, date(2025, 10, 1)))
    assert exc.value.status_code == status


async def test_lookup_fault_is_transient(client: DukcapilClient, sim: Sim):
    sim.admin("POST", "/admin/faults", json={"endpoint": "lookup", "status_code": 502,
                                             "remaining": 1})
    with pytest.raises(TransientError):
        await client.lookup_family(sim.sample(kab_kota="3673")["no_kk"])


async def test_unreachable_server_is_transient():
    c = dukcapil(f"http://127.0.0.1:{free_port()}", timeout=2)
    try:
        with pytest.raises(TransientError):
            await c.offices()
    finally:
        await c.aclose()


@pytest.fixture(scope="module")
def odd_server() -> Iterator[str]:
    """A server that is slow on one path and answers garbage on another."""
    app = FastAPI()

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok"}

    @app.post("/oauth/token")
    def token() -> dict:
        return {"access_token": "odd", "token_type": "Bearer", "expires_in": 3600}

    @app.get("/v1/kantor")
    async def slow() -> list:
        await asyncio.sleep(2)
        return []

    @app.post("/v1/keluarga/cari")
    def garbage() -> Response:
        return Response("<html>proxy error</html>", media_type="text/html")

    with serve_app(app) as base:
        yield base


async def test_timeouts_and_garbage_are_transient(odd_server: str):
    c = dukcapil(odd_server, timeout=0.3)
    try:
        with pytest.raises(TransientError, match="timed out"):
            await c.offices()
        with pytest.raises(TransientError, match="unexpected body"):
            await c.lookup_family("3673050101010001")
    finally:
        await c.aclose()


async def test_injected_client_is_reused_and_left_open(sim: Sim):
    async with httpx.AsyncClient(base_url=sim.base) as http:
        c = dukcapil(sim.base, client=http)
        assert await c.offices()
        await c.aclose()
        assert not http.is_closed
