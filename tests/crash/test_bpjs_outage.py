"""BPJS hangs for longer than the activity timeout, each enrolment taking effect before it times out:
bundles wait, complete after recovery, and no baby is enrolled twice."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.crash import harness

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

BUNDLES = 8  # every third is twins: 10 children
ACTIVITY_TIMEOUT = 2
OUTAGE_SECONDS = 3 * ACTIVITY_TIMEOUT


async def test_bpjs_outage_longer_than_activity_timeouts_enrols_each_baby_once(temporal_env, tmp_path):
    phase = harness.Phases()
    async with harness.chaos_stack(tmp_path, temporal_env.client,
                                   activity_timeout_seconds=ACTIVITY_TIMEOUT) as chaos:
        stack = chaos.stack
        bodies = harness.births(await harness.families(stack, BUNDLES))
        n_children = sum(len(b["children"]) for b in bodies)
        before = await harness.counts(stack)
        # Every enrolment is carried out, then its answer held past the activity timeout and
        # finally refused: the worker never learns that the baby was enrolled.
        rule = await chaos.fault("bpjs", {"endpoint": "enrol_newborn", "timeout": {
            "effect": "applied", "hold_seconds": ACTIVITY_TIMEOUT + 1, "answer": "error",
            "status_code": 504}})
        await chaos.worker().started()
        ids = await harness.post_all(stack, bodies)
        started = time.monotonic()
        phase("stack up, births posted into the BPJS outage")

        async def timeouts() -> int:
            view = next(f for f in await chaos.faults("bpjs") if f["id"] == rule)
            return view["outcomes"].get("timeout", 0)

        async def enrolled_but_unknown() -> bool:
            c = await harness.counts(stack)
            return c["bpjs_newborn"] - before["bpjs_newborn"] == n_children and (
                await timeouts() >= 2 * n_children)

        # Each baby enrolled at BPJS, and each enrolment retried after a timeout of unknown effect.
        await harness.until(enrolled_but_unknown, "every baby enrolled and retried after a timeout")
        await harness.until(lambda: _only_bpjs_left(stack, ids), "every other service done")
        await asyncio.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - started)))
        assert await harness.in_flight(stack, ids) == BUNDLES  # they wait
        assert await harness.repost(stack, bodies, ids) == BUNDLES
        phase(f"outage held {time.monotonic() - started:.1f}s; {await timeouts()} enrolment timeouts")

        await chaos.remove_fault("bpjs", rule)
        done = await harness.wait_all(stack, ids, timeout=60)
        phase("BPJS recovered; every bundle finished")

        await harness.audit_exactly_once(stack, done, before)
        await harness.one_bundle_per_record(stack, ids)


async def _only_bpjs_left(stack, ids: list[str]) -> bool:
    """Every service but BPJS is done, and no child has its membership yet."""
    for b in await asyncio.gather(*(stack.get(i) for i in ids)):
        if b["kk"]["status"] != "completed":
            return False
        for c in b["children"]:
            s = c["services"]
            assert s["bpjs"]["status"] != "completed", "a membership completed during the outage"
            if any(s[k]["status"] != "completed" for k in ("nik", "akta", "kia")):
                return False
    return True
