"""The same child sent again under another record id, over the API: held before anything is issued,
the hospital sees only the code, a supervisor decides (audited), the hospital hears of the outcome."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.support import payloads
from tests.support.stack import svc

pytestmark = pytest.mark.integration


async def _act(stack, bid: str, body: dict, role: str):
    return await stack.http.post(f"{stack.api_url}/v1/births/{bid}/duplicate", json=body,
                                 headers=await stack.staff(role))


async def _events(stack, bid: str, hospital: str) -> list[dict]:
    r = await stack.http.get(f"{stack.api_url}/v1/hospital/events", params={"bundle_id": bid},
                             headers=stack.hospital(hospital))
    assert r.status_code == 200, r.text
    return [item["event"] for item in r.json()["items"]]


async def test_the_same_child_from_another_hospital_is_held_and_closed_as_a_duplicate(stack):
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    body = payloads.from_family(fam)
    first = await stack.accepted(body)
    await stack.wait(first, lambda b: svc(b, "nik")["status"] == "completed")
    again = {**body, "record_id": payloads.record_id("SIMRS2")}
    r = await stack.post(again, "RS-KEDUA")
    assert r.status_code == 202 and r.json()["status"] == "needs_attention" and not r.json()["duplicate"]
    bid = r.json()["bundle_id"]
    same = await stack.post(again, "RS-KEDUA")  # the same notification again: the same held bundle
    assert same.json()["bundle_id"] == bid and same.json()["duplicate"]

    seen = await stack.get(bid)  # as the hospital
    assert (seen["routing"]["status"], seen["routing"]["reason"]) == ("needs_attention", "DUPLIKAT_DICURIGAI")
    assert seen["suspected_duplicate_of"] is None and first not in str(seen)
    assert svc(seen, "nik")["status"] == "pending"
    r = await stack.http.get(f"{stack.api_url}/v1/births/{bid}", headers=await stack.staff("operator"))
    assert r.json()["suspected_duplicate_of"] == first  # operators see the earlier bundle

    r = await _act(stack, bid, {"duplicate": True, "reason": "anak yang sama"}, "operator")
    assert r.status_code == 403  # supervisors decide
    r = await _act(stack, first, {"duplicate": True, "reason": "coba"}, "supervisor")
    assert r.status_code == 409 and any(w in r.json()["detail"] for w in ("not held", "finished"))
    r = await _act(stack, bid, {"duplicate": True, "reason": "dikirim ulang oleh RS kedua"}, "supervisor")
    assert r.status_code == 200, r.text
    done = await stack.wait(bid)
    assert done["status"] == "closed_duplicate" and done["duplicate_of"] is None  # hidden from the hospital
    r = await stack.http.get(f"{stack.api_url}/v1/births/{bid}", headers=await stack.staff("supervisor"))
    assert r.json()["duplicate_of"] == first
    audit = (await stack.http.get(f"{stack.api_url}/v1/audit", params={"bundle_id": bid},
                                  headers=await stack.staff("auditor"))).json()["items"]
    decided = [(e["outcome"], e["reason"], e["actor_role"], e["details"]) for e in audit
               if e["action"] == "bundle.duplicate"]
    assert decided == [("ok", "dikirim ulang oleh RS kedua", "supervisor", {"duplicate": True})]
    events = await _events(stack, bid, "RS-KEDUA")
    assert [e["status"] for e in events][:1] == ["needs_attention"] and events[-1]["type"] == "bundle.closed"
    assert events[-1]["status"] == "closed_duplicate" and all(first not in str(e) for e in events)
    first_done = await stack.wait(first)
    assert first_done["status"] == "completed"  # the original is untouched


async def test_another_delivery_days_apart_is_held_and_goes_on_once_ruled_out(stack):
    fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
    body = payloads.from_family(fam)
    first = await stack.accepted(body)
    # The same mother, a delivery three days earlier: suspect (the same birth under another date?).
    born = date.fromisoformat(body["birth_date"]) - timedelta(days=3)
    later = payloads.from_family(fam, birth_date=born, children=[payloads.child(1, name="Siti Maryam")])
    r = await stack.post(later)
    assert r.status_code == 202 and r.json()["status"] == "needs_attention", r.text
    bid = r.json()["bundle_id"]
    await stack.started(bid)
    r = await _act(stack, bid, {"duplicate": False, "reason": "dua kelahiran berbeda"}, "supervisor")
    assert r.status_code == 200, r.text
    done = await stack.wait(bid)
    assert done["status"] == "completed" and done["suspected_duplicate_of"] is None
    assert (await stack.wait(first))["status"] == "completed"
