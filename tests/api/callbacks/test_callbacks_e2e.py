"""Callbacks end to end: the whole stack posts signed events to a receiver on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.api.callbacks.receiver import Receiver
from tests.support import payloads
from tools.embedded import free_port, serve_app

pytestmark = pytest.mark.integration


async def register(stack, hospital: str, url: str) -> str:
    r = await stack.http.put(f"{stack.api_url}/v1/hospital/webhook", json={"url": url},
                             headers=stack.hospital(hospital))
    assert r.status_code in (200, 201), r.text
    return r.json()["secret"]


async def polled(stack, hospital: str, bundle_id: str) -> list[dict]:
    items, after = [], None
    while True:
        params = {"bundle_id": bundle_id, "limit": 5, **({"after": after} if after else {})}
        r = await stack.http.get(f"{stack.api_url}/v1/hospital/events", params=params,
                                 headers=stack.hospital(hospital))
        assert r.status_code == 200, r.text
        page = r.json()
        items += page["items"]
        after = page["next_after"]
        if not page["has_more"]:
            return items


async def until(predicate, timeout: float = 45, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


def completed(receiver: Receiver, bundle_id: str) -> bool:
    got = receiver.events(bundle_id)
    return bool(got) and got[-1]["type"] == "bundle.completed"


def assert_a_consistent_history(got: list[dict]) -> None:
    """Each event starts where the previous one ended, from in_progress to completed."""
    assert got[0]["previous_status"] == "in_progress" and got[-1]["status"] == "completed"
    assert [e["version"] for e in got] == sorted({e["version"] for e in got})
    for before, after in zip(got, got[1:], strict=False):
        assert after["previous_status"] == before["status"]
        was = {(s["birth_order"], s["service"]): s["status"] for s in before["services"]}
        assert all(c["previous_status"] == was[(c["birth_order"], c["service"])] for c in after["changes"])


async def test_a_hospital_receives_signed_events_up_to_completion_and_can_poll_them(stack):
    receiver = Receiver()
    with serve_app(receiver.app()) as base:
        receiver.secret = await register(stack, "RSUD-CB", f"{base}/hook")
        fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
        bundle_id = await stack.accepted(payloads.from_family(fam), hospital="RSUD-CB")
        bundle = await stack.wait(bundle_id)
        assert bundle["status"] == "completed"
        await until(lambda: completed(receiver, bundle_id), what="bundle.completed")
    assert receiver.deliveries and all(d.verified for d in receiver.deliveries)
    got = receiver.events(bundle_id)
    assert_a_consistent_history(got)
    assert {"bundle.service_changed", "bundle.completed"} <= {e["type"] for e in got}
    for d in receiver.deliveries:
        assert d.headers["x-kelahiran-event-id"] == d.event["id"]
        assert d.headers["content-type"] == "application/json"
    # Polling returns the very same events, each marked delivered.
    items = await polled(stack, "RSUD-CB", bundle_id)
    assert [i["event"] for i in items] == got
    assert {i["delivery"]["state"] for i in items} == {"delivered"}
    # No NIK, KK number or document number travels in an event.
    numbers = {fam["ibu"]["nik"], fam["ayah"]["nik"], fam["no_kk"], bundle["kk"]["document_number"]}
    numbers |= {s["document_number"] for c in bundle["children"] for s in c["services"].values()
                if s["document_number"]}
    bodies = b"".join(d.body for d in receiver.deliveries).decode()
    assert not [n for n in numbers if n in bodies]


async def test_a_hospital_that_was_down_gets_every_event_later_in_order(stack):
    port = free_port()
    receiver = Receiver()
    receiver.secret = await register(stack, "RSUD-CB-DOWN", f"http://127.0.0.1:{port}/hook")
    bundle_ids = []
    for _ in range(2):
        fam = await stack.family(kab_kota="3673", segmen="PBI", marital="KAWIN_TERCATAT")
        bundle_ids.append(await stack.accepted(payloads.from_family(fam), hospital="RSUD-CB-DOWN"))
    for bundle_id in bundle_ids:
        assert (await stack.wait(bundle_id))["status"] == "completed"
    # Nothing listens: the events wait, and the hospital sees why. Delivery runs apart from the
    # bundle, so the first failed attempt may come a moment after the bundles complete.
    hook: dict = {}
    deadline = time.monotonic() + 30
    while not hook.get("last_error") and time.monotonic() < deadline:
        r = await stack.http.get(f"{stack.api_url}/v1/hospital/webhook",
                                 headers=stack.hospital("RSUD-CB-DOWN"))
        hook = r.json()
        await asyncio.sleep(0.1)
    assert hook["pending"] >= 2 * 3 and (hook["last_error"] or "").startswith("connection failed"), hook
    with serve_app(receiver.app(), port=port):
        receiver.status = 503  # up, but failing for a while
        await until(lambda: receiver.refused >= 2, what="503 answers")
        receiver.status = 200
        for bundle_id in bundle_ids:
            await until(lambda b=bundle_id: completed(receiver, b), what="the backlog")
    for bundle_id in bundle_ids:
        got = receiver.events(bundle_id)
        assert_a_consistent_history(got)
        assert [i["event"] for i in await polled(stack, "RSUD-CB-DOWN", bundle_id)] == got
    r = await stack.http.get(f"{stack.api_url}/v1/hospital/webhook", headers=stack.hospital("RSUD-CB-DOWN"))
    assert (r.json()["pending"], r.json()["dead"]) == (0, 0)
