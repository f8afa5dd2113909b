"""The BPJS simulator's follow-ups over real HTTP with signed requests (no adapter): ending a
membership after a death, and changing a member's name after a correction."""

from __future__ import annotations

import itertools
import json
import time
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from adapters.bpjs.bridging import open_response, sign_headers
from simulators.bpjs.app import create_app
from simulators.bpjs.settings import BpjsSimSettings
from simulators.common.nik import make_nik
from simulators.population import FamilyRecord, generate_population
from tests.support.servers import serve_app

FAMILIES = 80
POPULATION = generate_population(2025, FAMILIES)
ADMIN = {"X-Admin-Token": "followups-admin"}
QUIRK = {"Content-Type": "Application/x-www-form-urlencoded"}
_serials = itertools.count(7001)


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> BpjsSimSettings:
    db = tmp_path_factory.mktemp("bpjs-followups") / "bpjs.db"
    return BpjsSimSettings(database_url=f"sqlite:///{db}", families=FAMILIES,
                           admin_token="followups-admin")


@pytest.fixture(scope="module")
def http(settings):
    with serve_app(create_app(settings)) as base, httpx.Client(base_url=base, timeout=30) as c:
        yield c


@pytest.fixture(autouse=True)
def clean(http):
    yield
    http.delete("/admin/faults", headers=ADMIN)


def wib_today() -> date:
    return (datetime.now(UTC) + timedelta(hours=7)).date()


def family(segment: str, children: int | None = None, skip: int = 0) -> FamilyRecord:
    return [f for f in POPULATION if f.bpjs_segment == segment
            and (children is None or len(f.children) == children)][skip]


def call(http: httpx.Client, settings, path: str, request: dict) -> tuple[httpx.Response, dict]:
    """A signed POST; answers the HTTP response and the opened `response` (or {})."""
    ts = str(int(time.time()))
    headers = sign_headers(cons_id=settings.cons_id, secret=settings.secret,
                           user_key=settings.user_key, timestamp=ts) | QUIRK
    r = http.post(path, content=json.dumps({"request": request}), headers=headers)
    body = r.json()
    plain = body.get("response")
    return r, json.loads(open_response(plain, cons_id=settings.cons_id, secret=settings.secret,
                                       timestamp=ts)) if plain else {}


def enrol(http, settings, fam: FamilyRecord) -> dict:
    born = wib_today()
    nik = make_nik(fam.kecamatan, born, "female", next(_serials))
    r, m = call(http, settings, "/kepesertaan/bayi", {
        "nikIbu": fam.wife.nik, "nikBayi": nik, "namaBayi": "Bayi Ny. Uji",
        "tglLahir": born.isoformat(), "jenisKelamin": "P"})
    assert r.json()["metaData"]["code"] == "200", r.text
    return m | {"nik": nik}


def end(card: str, died: date | None = None, **extra) -> dict:
    return {"noKartu": card, "alasan": "MENINGGAL",
            "tglMeninggal": (died or wib_today()).isoformat()} | extra


def card_of(http, settings, nik: str) -> str:
    ts = str(int(time.time()))
    headers = sign_headers(cons_id=settings.cons_id, secret=settings.secret,
                           user_key=settings.user_key, timestamp=ts)
    r = http.get(f"/Peserta/nik/{nik}/tglSEP/{wib_today()}", headers=headers)
    return json.loads(open_response(r.json()["response"], cons_id=settings.cons_id,
                                    secret=settings.secret, timestamp=ts))["peserta"]


def test_end_membership_turns_nonaktif_and_cancels_the_pending_bill(http, settings):
    baby = enrol(http, settings, family("PBPU"))
    assert baby["status"] == "MENUNGGU_PEMBAYARAN" and baby["tagihan"] > 0
    r, m = call(http, settings, "/kepesertaan/nonaktif", end(baby["noKartu"]))
    assert r.status_code == 200 and r.json()["metaData"] == {"code": "200", "message": "OK"}
    assert (m["noKartu"], m["status"], m["tagihan"], m["tunggakanSejak"]) == (
        baby["noKartu"], "NONAKTIF", 0, None)
    assert m["segmen"] == "PBPU" and m["virtualAccount"] == baby["virtualAccount"]
    # A later payment into the family VA never reactivates the card.
    pay = http.post("/bank/pembayaran", json={"virtualAccount": baby["virtualAccount"],
                                              "jumlah": baby["tagihan"]})
    assert pay.status_code == 200 and baby["noKartu"] not in pay.json()["diaktifkan"]
    # Idempotent: ending it again answers the same membership.
    r, again = call(http, settings, "/kepesertaan/nonaktif", end(baby["noKartu"]))
    assert r.json()["metaData"]["code"] == "200" and again == m
    r, status = call(http, settings, "/kepesertaan/status", {"noKartu": baby["noKartu"]})
    assert status["status"] == "NONAKTIF" and status["tagihan"] == 0
    assert card_of(http, settings, baby["nik"])["statusPeserta"]["kode"] == "9"
    stats = http.get("/v1/statistik", headers=ADMIN).json()
    assert stats["newborn_by_status"].get("NONAKTIF", 0) >= 1


def test_end_membership_refusals(http, settings):
    r, m = call(http, settings, "/kepesertaan/nonaktif", end("0099999999999"))
    assert r.status_code == 200 and r.json()["metaData"]["code"] == "201"
    assert m == {"kode": "PESERTA_TIDAK_DITEMUKAN"}
    baby = enrol(http, settings, family("PBI"))
    for died in (wib_today() + timedelta(days=1), wib_today() - timedelta(days=1)):
        r, m = call(http, settings, "/kepesertaan/nonaktif", end(baby["noKartu"], died))
        assert r.json()["metaData"]["code"] == "201" and m == {
            "kode": "TANGGAL_MENINGGAL_TIDAK_VALID"}
    r, _ = call(http, settings, "/kepesertaan/nonaktif", end(baby["noKartu"], alasan="PINDAH"))
    assert r.status_code == 400 and "alasan" in r.json()["metaData"]["message"]
    r, m = call(http, settings, "/kepesertaan/status", {"noKartu": baby["noKartu"]})
    assert m["status"] == "AKTIF"  # nothing refused was applied


def test_update_member_changes_the_name(http, settings):
    baby = enrol(http, settings, family("PPU", skip=1))
    r, m = call(http, settings, "/kepesertaan/ubah", {"noKartu": baby["noKartu"],
                                                      "nama": "Aisyah Putri"})
    assert r.json()["metaData"]["code"] == "200"
    unchanged = {k: v for k, v in baby.items() if k not in ("nama", "nik")}
    assert {k: v for k, v in m.items() if k != "nama"} == unchanged
    assert (m["noKartu"], m["nama"]) == (baby["noKartu"], "Aisyah Putri")
    assert card_of(http, settings, baby["nik"])["nama"] == "Aisyah Putri"
    r, again = call(http, settings, "/kepesertaan/ubah", {"noKartu": baby["noKartu"],
                                                          "nama": "Aisyah Putri"})
    assert again == m
    r, m = call(http, settings, "/kepesertaan/ubah", {"noKartu": "0099999999999", "nama": "X"})
    assert r.json()["metaData"]["code"] == "201" and m == {"kode": "PESERTA_TIDAK_DITEMUKAN"}
    r, _ = call(http, settings, "/kepesertaan/ubah", {"noKartu": baby["noKartu"], "nama": ""})
    assert r.status_code == 400


def test_a_child_who_died_no_longer_takes_a_ppu_covered_place(http, settings):
    fam = family("PPU", children=3)
    child = card_of(http, settings, fam.children[0].nik)
    r, m = call(http, settings, "/kepesertaan/nonaktif", end(child["noKartu"]))
    assert m["status"] == "NONAKTIF", m
    assert enrol(http, settings, fam)["status"] == "AKTIF"


def test_follow_ups_are_signed_and_have_fault_points(http, settings):
    names = http.get("/admin/faults/endpoints", headers=ADMIN).json()
    assert {"end_membership", "update_member"} <= set(names)
    r = http.post("/kepesertaan/nonaktif", headers=QUIRK,
                  content=json.dumps({"request": end("0000000000001")}))
    assert r.status_code == 401 and r.json()["metaData"]["code"] == "401"
    http.post("/admin/faults", headers=ADMIN,
              json={"endpoint": "update_member", "status_code": 503, "remaining": 1})
    r, _ = call(http, settings, "/kepesertaan/ubah", {"noKartu": "0000000000001", "nama": "A"})
    assert r.status_code == 503 and r.json()["metaData"]["code"] == "503"
