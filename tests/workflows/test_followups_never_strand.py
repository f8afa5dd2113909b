"""Follow-ups that never strand, end to end (issue 17): a second correction after the first, one
follow-up of a child at a time, refusals at the door, and a rejected follow-up listed and retried."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from tests.support import payloads
from tests.support.stack import ADMIN, svc

pytestmark = pytest.mark.integration
YESTERDAY = date.today() - timedelta(days=1)


def _corrections(b: dict, status: str | None = None) -> list[dict]:
    found = [f for f in b["follow_up_status"] if f["kind"] == "correction"]
    return [f for f in found if status is None or f["status"] == status]


async def _correct(stack, bid: str, name: str, who: dict):
    return await stack.http.post(f"{stack.api_url}/v1/births/{bid}/children/1/correction", headers=who,
                                 json={"child_name": name, "reason": "salah ketik nama"})


async def test_corrections_one_at_a_time_each_superseding_the_akta_in_force(stack):
    HOSP = stack.hospital()
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    bid = await stack.accepted(payloads.from_family(fam, birth_date=YESTERDAY,
                                                    children=[payloads.child(name="Siti Aminh")]))
    first = svc(await stack.wait(bid), "akta")["document_number"]

    same = await _correct(stack, bid, "Siti Aminh", HOSP)
    assert same.status_code == 422 and same.json()["errors"][0]["loc"] == ["body", "child_name"]
    assert "already the name on the akta in force" in same.json()["errors"][0]["message"]
    died = await stack.http.post(f"{stack.api_url}/v1/births/{bid}/children/1/death", headers=HOSP, json={
        "date_of_death": (date.today() + timedelta(days=2)).isoformat(), "place_of_death": "Rumah"})
    assert died.status_code == 422 and died.json()["errors"][0]["field"] == "body.date_of_death"

    # Two corrections sent at once: one starts, the other is told a follow-up of the child runs.
    a, b = await asyncio.gather(_correct(stack, bid, "Siti Aminah", HOSP),
                                _correct(stack, bid, "Siti Aminah Putri", HOSP))
    assert sorted([a.status_code, b.status_code]) == [202, 409], (a.text, b.text)
    assert "running" in (a if a.status_code == 409 else b).json()["detail"]
    bundle = await stack.wait(bid, lambda x: len(_corrections(x, "completed")) == 1)
    second = _corrections(bundle)[0]["documents"]["akta"]
    assert svc(bundle, "akta")["document_number"] == second != first  # the akta in force

    # A second correction after the first: from the akta in force, so Dukcapil accepts it. The read
    # model shows the first completed a moment before its workflow has ended: sent again, as told.
    again = await _correct(stack, bid, "Siti Aminah Zahra", HOSP)
    for _ in range(100):
        if again.status_code != 409 or "running" not in again.json()["detail"]:
            break
        await asyncio.sleep(0.1)
        again = await _correct(stack, bid, "Siti Aminah Zahra", HOSP)
    assert again.status_code == 202, again.text
    bundle = await stack.wait(bid, lambda x: len(_corrections(x, "completed")) == 2)
    assert bundle["status"] == "completed"
    fid = again.json()["follow_up_id"]
    docs = next(f for f in _corrections(bundle) if f["workflow_id"] == fid)["documents"]
    assert docs["akta_lama"] == second and docs["akta"] not in (first, second)
    assert svc(bundle, "akta")["document_number"] == docs["akta"]
    assert [(d["number"], d["superseded_by"]) for d in bundle["documents"] if d["kind"] == "akta_kelahiran"] \
        == [(first, second), (second, docs["akta"]), (docs["akta"], None)]
    person = await stack.dukcapil("/v1/penduduk/detail", {"nik": svc(bundle, "nik")["document_number"]})
    assert (person["nama"], person["no_akta"]) == ("Siti Aminah Zahra", docs["akta"])
    assert (await _correct(stack, bid, "Siti Aminah Zahra", HOSP)).status_code == 422  # the name now


async def test_a_rejected_follow_up_is_listed_and_an_operator_retries_it(stack):
    HOSP = stack.hospital()
    op = await stack.staff("operator", "3673")
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    bid = await stack.accepted(payloads.from_family(fam, birth_date=YESTERDAY,
                                                    children=[payloads.child(name="Rafi Ahmd")]))
    await stack.wait(bid)
    rule = {"id": f"kk-refused-{bid[:8]}", "endpoint": "kk_member",
            "reject": {"kode": "BUKAN_ANGGOTA_KK", "no_kk": [fam["no_kk"]]}}
    r = await stack.http.post(f"{stack.dukcapil_url}/admin/faults", headers=ADMIN, json=rule)
    assert r.status_code == 201, r.text
    try:
        assert (await _correct(stack, bid, "Rafi Ahmad", HOSP)).status_code == 202
        bundle = await stack.wait(bid, lambda x: len(_corrections(x, "needs_attention")) == 1)
        assert bundle["status"] == "completed"  # the bundle's own status does not move
        assert _corrections(bundle)[0]["reason"] == "BUKAN_ANGGOTA_KK"
        listed = (await stack.http.get(f"{stack.api_url}/v1/births", headers=op,
                                       params={"status": "needs_attention", "limit": 200})).json()
        item = next(i for i in listed["items"] if i["bundle_id"] == bid)
        assert [(f["kind"], f["birth_order"], f["reason"]) for f in item["follow_ups_needing_attention"]] == [
            ("correction", 1, "BUKAN_ANGGOTA_KK")]
        page = await stack.http.get(f"{stack.api_url}/console/worklist", headers=op)
        assert bid in page.text and "BUKAN_ANGGOTA_KK" in page.text
    finally:
        await stack.http.post(f"{stack.dukcapil_url}/admin/faults/remove", headers=ADMIN,
                              json={"ids": [rule["id"]]})
    url = f"{stack.api_url}/v1/births/{bid}/children/1/follow-ups/correction/retry"
    assert (await stack.http.post(url, headers=HOSP, json={"reason": "KK diperiksa"})).status_code == 403
    r = await stack.http.post(url, headers=op, json={"reason": "KK diperiksa di Dukcapil"})
    assert r.status_code == 200 and "retry of step kk" in r.json()["message"]
    bundle = await stack.wait(bid, lambda x: len(_corrections(x, "completed")) == 1)
    refused = await stack.http.post(url, headers=op, json={"reason": "sekali lagi"})
    assert refused.status_code == 409
    kk = await stack.kk_detail(fam["no_kk"])
    row = next(m for m in kk["anggota"] if m["nik"] == svc(bundle, "nik")["document_number"])
    assert row["nama"] == "Rafi Ahmad"
    listed = (await stack.http.get(f"{stack.api_url}/v1/births", headers=op,
                                   params={"status": "needs_attention", "limit": 200})).json()
    assert bid not in [i["bundle_id"] for i in listed["items"]]
