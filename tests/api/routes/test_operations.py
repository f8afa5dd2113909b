"""Operator actions over the API: each succeeds when the bundle allows it, is refused (409) with the
workflow's reason when not, is scoped to the operator's office, and lands in the audit log."""

from __future__ import annotations

import pytest

from tests.support import payloads
from tests.support.stack import svc

pytestmark = pytest.mark.integration


async def _act(stack, bid: str, action: str, body: dict, role: str = "operator", office: str | None = None):
    return await stack.http.post(f"{stack.api_url}/v1/births/{bid}/{action}", json=body,
                                 headers=await stack.staff(role, office))


async def _audit(stack, bid: str) -> list[tuple[str, str]]:
    items = (await stack.http.get(f"{stack.api_url}/v1/audit", params={"bundle_id": bid},
                                  headers=await stack.staff("auditor"))).json()["items"]
    return [(e["action"], e["outcome"]) for e in items]


async def test_retry_and_forward_a_family_no_connected_office_serves(stack):
    bid = await stack.accepted(payloads.from_family(await stack.family(kab_kota="3671")))
    await stack.wait(bid, lambda b: b["status"] == "needs_attention")
    # An operator of Kota Serang does not see a bundle routed to no office; the city-wide desk does.
    r = await _act(stack, bid, "retry", {"service": "routing", "reason": "cek lagi"}, office="3673")
    assert r.status_code == 404
    r = await _act(stack, bid, "retry", {"service": "akta", "birth_order": 1, "reason": "cek"})
    assert r.status_code == 409 and "not waiting for a retry" in r.json()["detail"]
    r = await _act(stack, bid, "retry", {"service": "routing", "reason": "keluarga baru pindah"})
    assert r.status_code == 200, r.text
    await stack.wait(bid, lambda b: b["routing"]["attempts"] == 2 and b["status"] == "needs_attention")
    r = await _act(stack, bid, "forward", {"office": "Disdukcapil Kota Tangerang",
                                           "reference": "470/2026/001",
                                           "reason": "domisili keluarga di Kota Tangerang"})
    assert r.status_code == 200, r.text
    b = await stack.wait(bid)
    assert b["status"] == "forwarded" and b["forwarded"]["reference"] == "470/2026/001"
    assert b["forwarded"]["actor"] == "operator-all"
    r = await _act(stack, bid, "forward", {"office": "X Y Z", "reference": "1/2/3", "reason": "lagi"})
    assert r.status_code == 409
    assert ("bundle.forward", "ok") in await _audit(stack, bid)
    assert ("bundle.retry", "refused") in await _audit(stack, bid)


async def test_forward_is_only_for_a_family_no_office_serves(stack):
    fam = await stack.family(kab_kota="3673", segmen="PBPU", marital="KAWIN_TERCATAT")
    bid = await stack.accepted(payloads.from_family(fam))
    await stack.wait(bid, lambda b: svc(b, "bpjs")["status"] == "awaiting_payment")
    r = await _act(stack, bid, "forward",
                   {"office": "Disdukcapil Lain", "reference": "1/2/3", "reason": "coba"}, office="3673")
    assert r.status_code == 409 and "no connected office serves" in r.json()["detail"]
    r = await _act(stack, bid, "decision", {"decision_number": "470/1/2026", "reason": "x y z"}, "supervisor")
    assert r.status_code == 409 and "Kepala Dinas" in r.json()["detail"]
    r = await _act(stack, bid, "close", {"reason": "keluarga menolak"}, "supervisor", "3673")
    assert r.status_code == 200 and (await stack.wait(bid))["status"] == "closed_with_issues"


async def test_supervisor_rejects_an_sptjm_the_kk_does_not_support_akta_names_the_mother(stack):
    fam = await stack.family(kab_kota="3673", marital="TIDAK_KAWIN", segmen="PBI")
    father = {"nik": payloads.manual()["father"]["nik"], "name": "Budi Santoso"}
    bid = await stack.accepted(payloads.from_family(fam, proof="sptjm", father=father))
    await stack.wait(bid, lambda b: svc(b, "akta")["reason"] == "SPTJM_TIDAK_SAH")
    r = await _act(stack, bid, "sptjm", {"accept": False, "reason": "KK belum kawin"}, "operator", "3673")
    assert r.status_code == 403  # supervisors decide
    r = await _act(stack, bid, "sptjm", {"accept": False, "reason": "KK tidak menunjukkan kawin"},
                   "supervisor", "3673")
    assert r.status_code == 200, r.text
    b = await stack.wait(bid)
    assert b["status"] == "completed" and svc(b, "akta")["facts"]["orang_tua"] == "anak_seorang_ibu"
    r = await _act(stack, bid, "sptjm", {"accept": True, "reason": "lagi"}, "supervisor", "3673")
    assert r.status_code == 409


async def test_correcting_the_mothers_nik_before_issue_lets_the_bundle_complete(stack):
    fam = await stack.family(kab_kota="3673", marital="KAWIN_TERCATAT", segmen="PBI")
    body = payloads.from_family(fam)
    real = dict(body["mother"])
    body["mother"]["nik"] = payloads.unknown_mother_nik()
    bid = await stack.accepted(body)
    await stack.wait(bid, lambda b: svc(b, "nik")["reason"] == "NIK_IBU_TIDAK_DITEMUKAN")
    r = await _act(stack, bid, "parents", {"reason": "kosong"}, office="3673")
    assert r.status_code == 409 and "nothing to correct" in r.json()["detail"]
    man = {"nik": "3673011203950007", "name": "X"}
    r = await _act(stack, bid, "parents", {"mother": man, "reason": "salah"}, office="3673")
    assert r.status_code == 422  # a man's NIK for the mother
    r = await _act(stack, bid, "parents", {"mother": real, "reason": "NIK ibu salah ketik"}, office="3673")
    assert r.status_code == 200, r.text
    b = await stack.wait(bid)
    assert b["status"] == "completed"
    r = await _act(stack, bid, "parents", {"mother": real, "reason": "lagi"}, office="3673")
    assert r.status_code == 409
