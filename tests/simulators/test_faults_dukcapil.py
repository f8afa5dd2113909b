"""Fault injection in the Dukcapil simulator, over real HTTP."""

from __future__ import annotations

import asyncio
import time
from datetime import date

import httpx
import pytest

from tests.simulators._dukcapil import ADMIN, Sim, birth, new_key, served

DAY = date(2025, 12, 10)
LEGACY = {"endpoint": "register_birth", "status_code": 503, "remaining": 3}


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    with served("sqlite", tmp_path_factory.mktemp("dukcapil-faults"), families=200) as s:
        s.set_today(DAY)
        yield s


@pytest.fixture(autouse=True)
def clean(sim: Sim):
    yield
    sim.admin("DELETE", "/admin/faults")
    sim.set_today(DAY)


def add(sim: Sim, **rule) -> dict:
    r = sim.admin("POST", "/admin/faults", json=rule)
    assert r.status_code == 201, r.text
    return r.json()


def lookup(sim: Sim, no_kk: str) -> httpx.Response:
    return sim.http.post("/v1/keluarga/cari", json={"no_kk": no_kk})


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/admin/faults", None), ("POST", "/admin/faults", LEGACY), ("PUT", "/admin/faults", []),
    ("POST", "/admin/faults/remove", {"ids": ["fault-1"]}), ("DELETE", "/admin/faults", None),
    ("GET", "/admin/faults/endpoints", None)])
def test_the_admin_api_needs_the_token(sim: Sim, method, path, body):
    for headers in ({}, {"X-Admin-Token": "not-the-token"}):
        assert sim.http.request(method, path, json=body, headers=headers).status_code == 401


def test_endpoint_names_are_listed_and_typos_refused(sim: Sim):
    names = sim.admin("GET", "/admin/faults/endpoints").json()
    assert names == sorted(names)
    assert {"lookup", "register_birth", "stillbirth", "akta", "kia", "kk_reissue"} <= set(names)
    r = sim.admin("POST", "/admin/faults", json={"endpoint": "register-birth"})
    assert r.status_code == 422 and "register_birth" in r.text


def test_the_original_api_still_works(sim: Sim):
    created = add(sim, **LEGACY)
    assert (created["endpoint"], created["status_code"], created["remaining"]) == ("register_birth", 503, 3)
    assert [sim.issue("3673", "kelahiran", {}).status_code for _ in range(4)] == [503, 503, 503, 422]
    assert sim.admin("GET", "/admin/faults").json() == []


def test_added_latency_is_served_and_counted(sim: Sim):
    add(sim, id="slow", endpoint="lookup", latency={"kind": "fixed", "ms": 150})
    fam = sim.sample(kab_kota="3673", seed=30)
    started = time.monotonic()
    assert lookup(sim, fam["no_kk"]).status_code == 200
    assert time.monotonic() - started >= 0.15
    [view] = sim.admin("GET", "/admin/faults").json()
    assert (view["id"], view["seen"], view["hits"], view["outcomes"]) == ("slow", 1, 1, {"latency": 1})
    assert view["remaining"] is None


async def test_error_rate_decisions_repeat_and_ignore_concurrency(sim: Sim):
    rule = {"id": "flaky", "endpoint": "register_birth", "error_rate": 0.5, "status_code": 502}
    keys = [f"det-{i:02d}-{'x' * 8}" for i in range(12)]

    async def attempts(client: httpx.AsyncClient, key: str) -> list[int]:
        # The body is invalid on purpose: a call the fault lets through ends at validation (422).
        return [(await client.post("/v1/kantor/3673/kelahiran", json={},
                                   headers={"Idempotency-Key": key})).status_code for _ in range(3)]

    async with httpx.AsyncClient(base_url=sim.base, timeout=30, headers=sim.bearer) as client:
        add(sim, **rule)
        one_by_one = {k: await attempts(client, k) for k in keys}
        sim.admin("DELETE", "/admin/faults")  # also forgets attempt numbers
        add(sim, **rule)
        together = dict(zip(keys, await asyncio.gather(*(attempts(client, k) for k in keys)), strict=True))
    assert together == one_by_one
    assert {s for seq in one_by_one.values() for s in seq} == {502, 422}


def test_timeout_with_effect_applied_then_retry_gives_the_same_nik(sim: Sim):
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=31)
    body, key = birth(fam, DAY), new_key()
    before = sim.stats()["nik_bayi"]
    add(sim, endpoint="register_birth", remaining=1,
        timeout={"effect": "applied", "hold_seconds": 0.6})
    with httpx.Client(base_url=sim.base, timeout=0.2, headers=sim.bearer) as impatient, \
            pytest.raises(httpx.ReadTimeout):
        impatient.post("/v1/kantor/3673/kelahiran", json=body, headers={"Idempotency-Key": key})
    retried = sim.issue("3673", "kelahiran", body, key)
    again = sim.issue("3673", "kelahiran", body, key)
    assert retried.status_code == again.status_code == 201
    assert retried.json() == again.json()
    assert sim.stats()["nik_bayi"] == before + 1


def test_an_applied_504_or_a_late_answer_took_effect(sim: Sim):
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=32)
    body, key = birth(fam, DAY), new_key()
    before = sim.stats()["nik_bayi"]
    add(sim, endpoint="register_birth", remaining=1, timeout={"effect": "applied"})
    got = sim.issue("3673", "kelahiran", body, key)
    assert got.status_code == 504 and got.json()["kode"] == "GANGGUAN_SIMULASI"
    assert sim.stats()["nik_bayi"] == before + 1
    add(sim, endpoint="register_birth", remaining=1,
        timeout={"effect": "applied", "answer": "late", "hold_seconds": 0.2})
    started = time.monotonic()
    late = sim.issue("3673", "kelahiran", body, key)
    assert late.status_code == 201 and time.monotonic() - started >= 0.2
    assert sim.stats()["nik_bayi"] == before + 1


def test_a_timeout_not_applied_issues_nothing(sim: Sim):
    fam = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=33)
    body, key = birth(fam, DAY), new_key()
    before = sim.stats()["nik_bayi"]
    add(sim, endpoint="register_birth", remaining=1,
        timeout={"effect": "not_applied", "hold_seconds": 0.1, "status_code": 504})
    assert sim.issue("3673", "kelahiran", body, key).status_code == 504
    assert sim.stats()["nik_bayi"] == before
    assert sim.issue("3673", "kelahiran", body, key).status_code == 201
    assert sim.stats()["nik_bayi"] == before + 1


def test_outage_window_follows_the_simulated_clock(sim: Sim):
    fam = sim.sample(kab_kota="3673", seed=34)
    add(sim, endpoint="lookup", outage={"start": "2030-01-01T00:00:00Z", "end": "2030-01-02T00:00:00Z",
                                        "status_code": 503})
    for day, status in ((date(2029, 12, 31), 200), (date(2030, 1, 1), 503), (date(2030, 1, 2), 200)):
        sim.set_today(day)  # noon WIB, 05:00 UTC
        got = lookup(sim, fam["no_kk"])
        assert got.status_code == status, day
    assert got.status_code == 200


def test_relative_outage_ends_by_itself(sim: Sim):
    fam = sim.sample(kab_kota="3673", seed=35)
    add(sim, endpoint="*", outage={"for_seconds": 0.5, "status_code": 502})
    got = lookup(sim, fam["no_kk"])
    assert got.status_code == 502 and got.json()["kode"] == "GANGGUAN_SIMULASI"
    time.sleep(0.6)
    assert lookup(sim, fam["no_kk"]).status_code == 200


def test_forced_refusal_only_for_the_chosen_family(sim: Sim):
    chosen = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=36)
    other = sim.sample(kab_kota="3673", marital="KAWIN_TERCATAT", seed=37)
    assert chosen["no_kk"] != other["no_kk"]
    rule = add(sim, endpoint="register_birth", reject={
        "kode": "IBU_TIDAK_DI_KK", "message": "Ibu tidak ada di KK", "no_kk": [chosen["no_kk"]]})
    key = new_key()
    refused = sim.issue("3673", "kelahiran", birth(chosen, DAY), key)
    assert refused.status_code == 422
    assert refused.json() == {"kode": "IBU_TIDAK_DI_KK", "pesan": "Ibu tidak ada di KK"}
    assert sim.issue("3673", "kelahiran", birth(other, DAY)).status_code == 201
    # Refusals are not remembered: once the rule is gone the same key succeeds.
    sim.admin("POST", "/admin/faults/remove", json={"ids": [rule["id"]]})
    child = sim.issue("3673", "kelahiran", birth(chosen, DAY), key)
    assert child.status_code == 201
    add(sim, endpoint="kia",
        reject={"kode": "NIK_DIBLOKIR", "status_code": 409, "nik": [child.json()["nik"]]})
    kia = {"nik_anak": child.json()["nik"], "nama_anak": "Bayi", "no_akta": "3673-LU-10122025-9999"}
    assert sim.issue("3673", "kia", kia).json()["kode"] == "NIK_DIBLOKIR"
    assert sim.issue("3673", "kia", kia | {"nik_anak": other["ibu"]["nik"]}).json()["kode"] != "NIK_DIBLOKIR"


def test_remove_replace_and_reset(sim: Sim):
    add(sim, id="a", endpoint="lookup", status_code=429)
    add(sim, endpoint="akta", error_rate=0.1)
    assert sim.admin("POST", "/admin/faults", json={"id": "a", "endpoint": "kia"}).status_code == 409
    assert sim.admin("POST", "/admin/faults/remove", json={"ids": ["nope"]}).status_code == 404
    left = sim.admin("POST", "/admin/faults/remove", json={"ids": ["a"]}).json()
    assert [r["endpoint"] for r in left] == ["akta"]
    replaced = sim.admin("PUT", "/admin/faults", json=[{"endpoint": "kia"}, {"endpoint": "*", "latency": 5}])
    assert replaced.status_code == 200 and [r["endpoint"] for r in replaced.json()] == ["kia", "*"]
    assert sim.admin("DELETE", "/admin/faults").status_code == 204
    assert sim.admin("GET", "/admin/faults").json() == []


def test_admin_token_is_the_configured_one(sim: Sim):
    assert ADMIN != "dev-admin-token"
    assert sim.http.get("/admin/faults", headers={"X-Admin-Token": "dev-admin-token"}).status_code == 401
