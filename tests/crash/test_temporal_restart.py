"""Stop the file-backed Temporal dev server mid-flight and start it again: every bundle resumes."""

from __future__ import annotations

import asyncio
import signal

import pytest

from tests.crash import harness
from tests.crash.processes import DevServerProc, Processes

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

BUNDLES = 24  # every third is twins: 32 children
LATE = 3  # posted while Temporal is down
LATENCY = {"kind": "uniform", "min_ms": 200, "max_ms": 800}


async def test_temporal_restart_mid_flight_resumes_every_bundle(tmp_path):
    phase = harness.Phases()
    procs = Processes()
    server = DevServerProc(tmp_path / "temporal.db", tmp_path / "temporal.log")
    procs.add(server)
    try:
        client = await server.started()
        phase("temporal dev server started (SQLite file, WAL)")
        async with harness.chaos_stack(tmp_path, client, procs, activity_timeout_seconds=3) as chaos:
            stack = chaos.stack
            everyone = harness.births(await harness.families(stack, BUNDLES + LATE))
            bodies, late = everyone[:BUNDLES], everyone[BUNDLES:]
            before = await harness.counts(stack)
            await chaos.fault("dukcapil", {"endpoint": "*", "latency": LATENCY})
            await chaos.fault("bpjs", {"endpoint": "*", "latency": LATENCY})
            await chaos.worker().started()
            phase("stack and worker started")

            ids = await harness.post_all(stack, bodies)
            await harness.until_issued(stack, before, niks=4)
            flying = await harness.in_flight(stack, ids)
            assert flying >= BUNDLES // 2, f"only {flying} bundles in flight"
            assert server.signal(signal.SIGTERM, wait=30) is not None
            phase(f"temporal stopped with {flying} bundles in flight")

            # While it is down the bundles are still readable (read model), and the hospital's
            # retries are accepted: the births are kept and started once Temporal is back.
            assert (await stack.get(ids[0]))["bundle_id"] == ids[0]
            retries = asyncio.ensure_future(harness.repost(stack, bodies, ids))
            late_ids = await harness.post_all(stack, late)  # new births, accepted while it is down
            assert all(late_ids), late_ids
            await asyncio.sleep(2)
            await server.started()
            phase("temporal restarted on the same port and file")
            assert await retries == BUNDLES  # every retry during the outage answered 202
            phase(f"all {BUNDLES} retries during the outage answered 202")
            assert await harness.repost(stack, bodies, ids) == BUNDLES
            done = await harness.wait_all(stack, [*ids, *late_ids], timeout=150)
            phase("every bundle finished")

            await harness.audit_exactly_once(stack, done, before)
            await harness.one_bundle_per_record(stack, [*ids, *late_ids])
            phase("audited")
    finally:
        procs.stop_all()
