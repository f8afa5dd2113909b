"""A corrected mother's NIK over the API moves the bundle in the duplicate check (api/parents_identity.py):
the same child posted later with the correct NIK is held against it, with the wrong one it is not;
a correction that makes the child one another live bundle holds is refused (409 DUPLIKAT_DICURIGAI)
and changes nothing; one the workflow refuses leaves the check as it was."""

from __future__ import annotations

import pytest

from tests.support import payloads
from tests.support.stack import svc

pytestmark = pytest.mark.integration


async def _act(stack, bid: str, action: str, body: dict, role: str = "operator"):
    return await stack.http.post(f"{stack.api_url}/v1/births/{bid}/{action}", json=body,
                                 headers=await stack.staff(role))


async def _again(stack, body: dict, mother: dict, hospital: str = "RS-KEDUA") -> dict:
    """The same delivery posted under a new record id, with this mother."""
    r = await stack.post({**body, "mother": mother, "record_id": payloads.record_id("ULANG")}, hospital)
    assert r.status_code == 202, r.text
    return r.json()


async def _operators_view(stack, bid: str) -> dict:
    r = await stack.http.get(f"{stack.api_url}/v1/births/{bid}", headers=await stack.staff("operator"))
    assert r.status_code == 200, r.text
    return r.json()


async def _close(stack, *bids: str) -> None:
    for bid in bids:
        await stack.started(bid)
        r = await _act(stack, bid, "close", {"reason": "uji selesai"}, "supervisor")
        assert r.status_code == 200, r.text


async def _audit(stack, bid: str) -> list[tuple[str, dict | None]]:
    items = (await stack.http.get(f"{stack.api_url}/v1/audit", params={"bundle_id": bid},
                                  headers=await stack.staff("auditor"))).json()["items"]
    return [(e["outcome"], e["details"]) for e in items if e["action"] == "bundle.parents"]


async def test_after_the_mothers_nik_is_corrected_the_correct_nik_matches_and_the_wrong_one_not(stack):
    fam = await stack.family(kab_kota="3673", marital="KAWIN_TERCATAT", segmen="PBI")
    body = payloads.from_family(fam)
    real, wrong = dict(body["mother"]), {**body["mother"], "nik": payloads.unknown_mother_nik()}
    bid = await stack.accepted({**body, "mother": wrong})
    await stack.wait(bid, lambda b: svc(b, "nik")["reason"] == "NIK_IBU_TIDAK_DITEMUKAN")
    r = await _act(stack, bid, "parents", {"mother": real, "reason": "NIK ibu salah ketik"})
    assert r.status_code == 200, r.text
    assert "note" not in r.json()["message"]  # no other delivery of this mother near this one

    held = await _again(stack, body, real)  # the same child, correctly: held against the corrected bundle
    assert held["status"] == "needs_attention"
    seen = await _operators_view(stack, held["bundle_id"])
    assert seen["routing"]["reason"] == "DUPLIKAT_DICURIGAI" and seen["suspected_duplicate_of"] == bid
    passed = await _again(stack, body, wrong)  # the wrong NIK no longer names any bundle
    assert passed["status"] != "needs_attention"
    await stack.started(passed["bundle_id"])
    assert (await _operators_view(stack, passed["bundle_id"]))["suspected_duplicate_of"] is None

    assert (await stack.wait(bid))["status"] == "completed"
    assert await _audit(stack, bid) == [("ok", {"fields": ["mother"]})]
    await _close(stack, held["bundle_id"], passed["bundle_id"])


async def test_a_correction_making_the_child_one_another_bundle_holds_is_refused(stack):
    fam = await stack.family(kab_kota="3673", marital="KAWIN_TERCATAT", segmen="PBI")
    body = payloads.from_family(fam)
    real, wrong = dict(body["mother"]), {**body["mother"], "nik": payloads.unknown_mother_nik()}
    first = await stack.accepted(body)
    # The same birth under a mistyped NIK, from another hospital: the intake cannot see it is the same.
    r = await stack.post({**body, "mother": wrong, "record_id": payloads.record_id("RS2")}, "RS-KEDUA")
    assert r.status_code == 202 and r.json()["status"] != "needs_attention", r.text
    second = r.json()["bundle_id"]
    await stack.started(second)
    await stack.wait(second, lambda b: svc(b, "nik")["reason"] == "NIK_IBU_TIDAK_DITEMUKAN")

    r = await _act(stack, second, "parents", {"mother": real, "reason": "NIK ibu salah ketik"})
    assert r.status_code == 409, r.text
    assert "DUPLIKAT_DICURIGAI" in r.json()["detail"] and first in r.json()["detail"]
    b = await _operators_view(stack, second)
    assert svc(b, "nik")["reason"] == "NIK_IBU_TIDAK_DITEMUKAN"  # the workflow was not told
    [(outcome, details)] = await _audit(stack, second)
    assert outcome == "refused" and "DUPLIKAT_DICURIGAI" in details["refusal"]
    # Nothing moved: the wrong NIK still names the second bundle, the right one the first.
    again = await _again(stack, body, wrong, "RS-KETIGA")
    assert (await _operators_view(stack, again["bundle_id"]))["suspected_duplicate_of"] == second
    assert (await stack.wait(first))["status"] == "completed"
    await _close(stack, second, again["bundle_id"])


async def test_a_correction_the_workflow_refuses_leaves_the_check_as_it_was(stack):
    fam = await stack.family(kab_kota="3673", marital="KAWIN_TERCATAT", segmen="PBI")
    body = payloads.from_family(fam, children=[payloads.child(name=None)])
    bid = await stack.accepted(body)
    await stack.wait(bid, lambda b: svc(b, "akta")["status"] == "waiting_input")  # a NIK is issued
    other = {**body["mother"], "nik": payloads.unknown_mother_nik()}
    r = await _act(stack, bid, "parents", {"mother": other, "kk_number": "3604011203150001",
                                           "reason": "KK dan NIK ibu salah"})
    assert r.status_code == 409 and "no NIK is issued" in r.json()["detail"], r.text
    held = await _again(stack, body, body["mother"])  # the NIK as sent still names this bundle
    assert (await _operators_view(stack, held["bundle_id"]))["suspected_duplicate_of"] == bid
    passed = await _again(stack, body, other, "RS-KETIGA")  # the refused one names nothing
    assert passed["status"] != "needs_attention"
    await _close(stack, bid, held["bundle_id"], passed["bundle_id"])
