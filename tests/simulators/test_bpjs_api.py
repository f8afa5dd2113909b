"""The BPJS simulator over real HTTP, spoken to by hand (no adapter): protocol edges, the bank,
eligibility, admin and operations endpoints."""

from __future__ import annotations

import json
import logging
import time

import httpx
import pytest

from adapters.bpjs.bridging import open_response, sign_headers
from simulators.bpjs.app import _ScrubNik, create_app
from simulators.bpjs.settings import BpjsSimSettings
from simulators.population import generate_population
from tests.support.servers import serve_app

FAMILIES = 60
POPULATION = generate_population(2025, FAMILIES)
QUIRK = {"Content-Type": "Application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> BpjsSimSettings:
    db = tmp_path_factory.mktemp("bpjs-api") / "nested" / "bpjs.db"
    return BpjsSimSettings(database_url=f"sqlite:///{db}", families=FAMILIES,
                           admin_token="api-admin")


@pytest.fixture(scope="module")
def http(settings):
    with serve_app(create_app(settings)) as base, httpx.Client(base_url=base) as client:
        yield client
        client.delete("/admin/faults", headers={"X-Admin-Token": "api-admin"})


def signed(settings: BpjsSimSettings, ts: str | None = None) -> tuple[dict[str, str], str]:
    ts = ts or str(int(time.time()))
    return sign_headers(cons_id=settings.cons_id, secret=settings.secret,
                        user_key=settings.user_key, timestamp=ts) | QUIRK, ts


def opened(settings, body: dict, ts: str) -> dict:
    return json.loads(open_response(body["response"], cons_id=settings.cons_id,
                                    secret=settings.secret, timestamp=ts))


def test_health_and_ready(http):
    assert http.get("/health").json() == {"status": "ok"}
    assert http.get("/ready").json() == {"ready": True}


@pytest.mark.parametrize("case", ["missing", "bad-signature", "unknown-cons-id", "stale"])
def test_unauthenticated_requests_get_a_401_envelope_without_payload(http, settings, case):
    headers, _ = signed(settings)
    if case == "missing":
        headers = dict(QUIRK)
    elif case == "bad-signature":
        headers["X-signature"] = "bm90IGEgc2lnbmF0dXJl"
    elif case == "unknown-cons-id":
        headers |= sign_headers(cons_id="9999", secret=settings.secret,
                                user_key=settings.user_key, timestamp=headers["X-timestamp"])
    else:
        headers, _ = signed(settings, str(int(time.time()) - 301 - 5))
    r = http.post("/kepesertaan/status", content=b'{"request": {"noKartu": "0000000000001"}}',
                  headers=headers)
    assert r.status_code == 401
    body = r.json()
    assert body["metaData"]["code"] == "401" and body["metaData"]["message"]
    assert body.get("response") is None


def test_plain_json_content_type_is_accepted_too(http, settings):
    headers, ts = signed(settings)
    headers["Content-Type"] = "application/json"
    r = http.post("/kepesertaan/status", json={"request": {"noKartu": "0000000000001"}},
                  headers=headers)
    assert r.json()["metaData"]["code"] == "201"
    assert opened(settings, r.json(), ts) == {"kode": "PESERTA_TIDAK_DITEMUKAN"}


def test_malformed_request_is_a_400_envelope_that_does_not_echo_the_input(http, settings):
    headers, _ = signed(settings)
    nik = POPULATION[0].wife.nik
    body = {"request": {"nikIbu": nik, "nikBayi": "12", "namaBayi": "X",
                        "tglLahir": "2025-10-16", "jenisKelamin": "X"}}
    r = http.post("/kepesertaan/bayi", content=json.dumps(body), headers=headers)
    assert r.status_code == 400 and r.json()["metaData"]["code"] == "400"
    assert nik not in r.text and "nikBayi" in r.text


def test_eligibility_by_nik_shows_vclaim_status_codes(http, settings):
    pbi = next(f for f in POPULATION if f.bpjs_segment == "PBI")
    nonaktif = next(f for f in POPULATION if f.bpjs_segment == "NONAKTIF")
    for fam, code in ((pbi, "0"), (nonaktif, "9")):
        headers, ts = signed(settings)
        r = http.get(f"/Peserta/nik/{fam.wife.nik}/tglSEP/2025-10-16", headers=headers)
        assert r.json()["metaData"]["code"] == "200"
        peserta = opened(settings, r.json(), ts)["peserta"]
        assert peserta["nik"] == fam.wife.nik and peserta["sex"] == "P"
        assert peserta["statusPeserta"]["kode"] == code
        assert len(peserta["noKartu"]) == 13


def test_eligibility_unknown_nik_is_a_201_refusal(http, settings):
    headers, ts = signed(settings)
    r = http.get("/Peserta/nik/3673015504910001/tglSEP/2025-10-16", headers=headers)
    assert r.json()["metaData"]["code"] == "201"
    assert opened(settings, r.json(), ts) == {"kode": "PESERTA_TIDAK_DITEMUKAN"}


def test_family_members_share_one_va_derived_from_the_head_card(http, settings):
    fam = next(f for f in POPULATION if f.bpjs_segment == "PBPU" and f.husband and f.children)
    cards = []
    for person in (fam.husband, fam.wife, *fam.children):
        headers, ts = signed(settings)
        r = http.get(f"/Peserta/nik/{person.nik}/tglSEP/2025-10-16", headers=headers)
        cards.append(opened(settings, r.json(), ts)["peserta"]["noKartu"])
    assert len(set(cards)) == len(cards)
    headers, ts = signed(settings)
    r = http.post("/kepesertaan/status", headers=headers,
                  content=json.dumps({"request": {"noKartu": cards[1]}}))
    assert opened(settings, r.json(), ts)["virtualAccount"] == "88888" + cards[0][-11:]


def test_fault_answers_its_status_with_an_envelope(http, settings):
    admin = {"X-Admin-Token": "api-admin"}
    http.post("/admin/faults", json={"endpoint": "eligibility", "status_code": 429,
                                     "remaining": 1}, headers=admin)
    headers, _ = signed(settings)
    r = http.get("/Peserta/nik/3673015504910001/tglSEP/2025-10-16", headers=headers)
    assert r.status_code == 429 and r.json()["metaData"]["code"] == "429"


def test_bank_refuses_an_unknown_virtual_account(http):
    r = http.post("/bank/pembayaran", json={"virtualAccount": "8888800000000000", "jumlah": 1})
    assert r.status_code == 404


def test_statistik_needs_the_admin_token(http):
    assert http.get("/v1/statistik").status_code == 401
    r = http.get("/v1/statistik", headers={"X-Admin-Token": "api-admin"})
    assert r.status_code == 200 and "newborn_by_status" in r.json()


def test_restart_on_the_same_database_does_not_seed_twice(settings, http):
    with serve_app(create_app(settings)) as base:
        assert httpx.get(base + "/ready").json() == {"ready": True}
    headers, ts = signed(settings)
    nik = POPULATION[0].wife.nik
    r = http.get(f"/Peserta/nik/{nik}/tglSEP/2025-10-16", headers=headers)
    assert r.json()["metaData"]["code"] == "200"


def test_access_log_records_never_carry_a_nik():
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/Peserta/nik/3673015610250001/tglSEP/2025-10-16", "1.1", 200),
        None,
    )
    assert _ScrubNik().filter(record)
    assert "3673015610250001" not in record.getMessage()


def test_openapi_documents_the_hand_read_bodies(http):
    spec = http.get("/openapi.json").json()
    body = spec["paths"]["/kepesertaan/bayi"]["post"]["requestBody"]["content"]
    assert "nikBayi" in body["application/json"]["schema"]["properties"]["request"]["properties"]
