"""Fault injection in the BPJS simulator, over real HTTP with signed bridging requests."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from adapters.bpjs.bridging import open_response, sign_headers
from simulators.bpjs.app import create_app
from simulators.bpjs.settings import BpjsSimSettings
from simulators.common.nik import make_nik
from simulators.population import FamilyRecord, generate_population
from tests.support.servers import serve_app

FAMILIES = 60
POPULATION = generate_population(2025, FAMILIES)
ADMIN = {"X-Admin-Token": "faults-admin"}
_serials = itertools.count(8001)


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> BpjsSimSettings:
    db = tmp_path_factory.mktemp("bpjs-faults") / "bpjs.db"
    return BpjsSimSettings(database_url=f"sqlite:///{db}", families=FAMILIES, admin_token="faults-admin")


@pytest.fixture(scope="module")
def http(settings):
    with serve_app(create_app(settings)) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client


@pytest.fixture(autouse=True)
def clean(http):
    yield
    http.delete("/admin/faults", headers=ADMIN)
    http.put("/admin/clock", json={"offset_seconds": 0}, headers=ADMIN)


def add(http: httpx.Client, **rule) -> dict:
    r = http.post("/admin/faults", json=rule, headers=ADMIN)
    assert r.status_code == 201, r.text
    return r.json()


def signed(settings: BpjsSimSettings) -> tuple[dict[str, str], str]:
    ts = str(int(time.time()))
    headers = sign_headers(cons_id=settings.cons_id, secret=settings.secret,
                           user_key=settings.user_key, timestamp=ts)
    return headers | {"Content-Type": "Application/x-www-form-urlencoded"}, ts


def opened(settings: BpjsSimSettings, body: dict, ts: str) -> dict:
    return json.loads(open_response(body["response"], cons_id=settings.cons_id,
                                    secret=settings.secret, timestamp=ts))


def family(segment: str, skip: int = 0) -> FamilyRecord:
    return [f for f in POPULATION if f.bpjs_segment == segment][skip]


def newborn(fam: FamilyRecord) -> dict:
    born = (datetime.now(UTC) + timedelta(hours=7)).date()
    nik = make_nik(fam.kecamatan, born, "female", next(_serials))
    return {"request": {"nikIbu": fam.wife.nik, "nikBayi": nik, "namaBayi": "Bayi Ny. Uji",
                        "tglLahir": born.isoformat(), "jenisKelamin": "P"}}


def post(client: httpx.Client, settings, path: str, body: dict) -> tuple[httpx.Response, str]:
    headers, ts = signed(settings)
    return client.post(path, content=json.dumps(body), headers=headers), ts


def newborn_total(http: httpx.Client) -> int:
    return http.get("/v1/statistik", headers=ADMIN).json()["newborn_total"]


def test_endpoint_names_and_token(http):
    names = http.get("/admin/faults/endpoints", headers=ADMIN).json()
    assert {"eligibility", "enrol_newborn", "status"} <= set(names)
    assert http.get("/admin/faults").status_code == 401
    assert http.post("/admin/faults", json={"endpoint": "status"}).status_code == 401
    assert http.post("/admin/faults/remove", json={"ids": ["x"]}).status_code == 401


def test_latency_then_the_real_answer(http, settings):
    add(http, endpoint="status", latency={"kind": "uniform", "min_ms": 150, "max_ms": 200})
    started = time.monotonic()
    r, ts = post(http, settings, "/kepesertaan/status", {"request": {"noKartu": "0000000000001"}})
    assert time.monotonic() - started >= 0.15
    assert r.json()["metaData"]["code"] == "201"
    assert opened(settings, r.json(), ts) == {"kode": "PESERTA_TIDAK_DITEMUKAN"}


async def test_error_rate_decisions_repeat_and_ignore_concurrency(http, settings):
    rule = {"id": "flaky", "endpoint": "status", "error_rate": 0.5, "status_code": 503}
    cards = [f"99{i:011d}" for i in range(12)]

    async def attempts(client: httpx.AsyncClient, card: str) -> list[str]:
        codes = []
        for _ in range(3):
            headers, _ = signed(settings)
            r = await client.post("/kepesertaan/status", headers=headers,
                                  content=json.dumps({"request": {"noKartu": card}}))
            codes.append(r.json()["metaData"]["code"])
        return codes

    async with httpx.AsyncClient(base_url=str(http.base_url), timeout=30) as client:
        add(http, **rule)
        one_by_one = {c: await attempts(client, c) for c in cards}
        http.delete("/admin/faults", headers=ADMIN)
        add(http, **rule)
        together = dict(zip(cards, await asyncio.gather(*(attempts(client, c) for c in cards)), strict=True))
    assert together == one_by_one
    assert {c for seq in one_by_one.values() for c in seq} == {"503", "201"}
    [view] = http.get("/admin/faults", headers=ADMIN).json()
    assert view["seen"] == 36 and view["hits"] == sum(seq.count("503") for seq in together.values())


def test_timeout_with_effect_applied_then_retry_gives_the_same_card(http, settings):
    body, before = newborn(family("PBI", 0)), newborn_total(http)
    add(http, endpoint="enrol_newborn", remaining=1, timeout={"effect": "applied", "hold_seconds": 0.6})
    with httpx.Client(base_url=http.base_url, timeout=0.2) as impatient, pytest.raises(httpx.ReadTimeout):
        post(impatient, settings, "/kepesertaan/bayi", body)
    cards = []
    for _ in range(2):
        r, ts = post(http, settings, "/kepesertaan/bayi", body)
        assert r.json()["metaData"]["code"] == "200"
        cards.append(opened(settings, r.json(), ts)["noKartu"])
    assert cards[0] == cards[1]
    assert newborn_total(http) == before + 1


def test_a_timeout_not_applied_enrols_nobody(http, settings):
    body, before = newborn(family("PBI", 1)), newborn_total(http)
    add(http, endpoint="enrol_newborn", remaining=1, timeout={"effect": "not_applied", "hold_seconds": 0.1})
    r, _ = post(http, settings, "/kepesertaan/bayi", body)
    assert r.status_code == 504 and r.json() == {
        "metaData": {"code": "504", "message": "Gangguan layanan (simulasi 504)"}, "response": None}
    assert newborn_total(http) == before
    assert post(http, settings, "/kepesertaan/bayi", body)[0].json()["metaData"]["code"] == "200"
    assert newborn_total(http) == before + 1


def test_outage_window_follows_the_simulated_clock(http, settings):
    nik = family("PBI", 0).wife.nik
    add(http, endpoint="eligibility",
        outage={"start": "2030-03-01T00:00:00Z", "end": "2030-03-01T06:00:00Z", "status_code": 503})

    def at(instant: datetime) -> int:
        offset = (instant - datetime.now(UTC)).total_seconds()
        http.put("/admin/clock", json={"offset_seconds": offset}, headers=ADMIN)
        headers, _ = signed(settings)  # signatures keep following the wall clock
        return http.get(f"/Peserta/nik/{nik}/tglSEP/2030-03-01", headers=headers).status_code

    assert at(datetime(2030, 2, 28, 23, 59, tzinfo=UTC)) == 200
    assert at(datetime(2030, 3, 1, 0, 1, tzinfo=UTC)) == 503
    assert at(datetime(2030, 3, 1, 6, 1, tzinfo=UTC)) == 200


def test_forced_refusal_only_for_the_chosen_mother(http, settings):
    chosen, other = family("PBI", 2), family("PBI", 3)
    add(http, endpoint="enrol_newborn", reject={"kode": "PESERTA_TIDAK_AKTIF", "nik": [chosen.wife.nik]})
    r, ts = post(http, settings, "/kepesertaan/bayi", newborn(chosen))
    assert r.status_code == 200 and r.json()["metaData"]["code"] == "201"
    assert opened(settings, r.json(), ts) == {"kode": "PESERTA_TIDAK_AKTIF"}
    assert chosen.wife.nik not in r.text
    r, ts = post(http, settings, "/kepesertaan/bayi", newborn(other))
    assert r.json()["metaData"]["code"] == "200"
    card = opened(settings, r.json(), ts)["noKartu"]
    add(http, endpoint="status", reject={"kode": "KARTU_DIBLOKIR", "no_kartu": [card]})
    r, ts = post(http, settings, "/kepesertaan/status", {"request": {"noKartu": card}})
    assert opened(settings, r.json(), ts) == {"kode": "KARTU_DIBLOKIR"}


def test_a_forced_refusal_still_needs_a_valid_signature(http, settings):
    add(http, endpoint="status", reject={"kode": "PESERTA_TIDAK_AKTIF"})
    r = http.post("/kepesertaan/status", content=b'{"request": {"noKartu": "0000000000001"}}')
    assert r.status_code == 401
