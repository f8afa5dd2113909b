"""SIGKILL the worker with 50+ bundles in flight; a new worker finishes them, each document issued once."""

from __future__ import annotations

import signal
from datetime import UTC, datetime

import pytest

from tests.crash import harness

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

BUNDLES = 54  # every third is twins: 72 children
LATENCY = {"kind": "uniform", "min_ms": 200, "max_ms": 800}
# Long enough that a burst of calls queueing at the simulators (one process, one issuing lock)
# does not time out; the held answers below outlast it.
ACTIVITY_TIMEOUT = 5


async def test_worker_sigkill_mid_flight_loses_and_duplicates_nothing(temporal_env, tmp_path):
    phase = harness.Phases()
    async with harness.chaos_stack(tmp_path, temporal_env.client,
                                   activity_timeout_seconds=ACTIVITY_TIMEOUT) as chaos:
        stack = chaos.stack
        bodies = harness.births(await harness.families(stack, BUNDLES))
        before = await harness.counts(stack)
        phase("stack up, families drawn")
        # Slow every call so the bundles are mid-way when the worker dies, and let some issuing calls
        # take effect but answer only after the activity timeout: the caller cannot know they did.
        await chaos.fault("dukcapil", {"endpoint": "*", "latency": LATENCY})
        await chaos.fault("bpjs", {"endpoint": "*", "latency": LATENCY})
        for endpoint in ("register_birth", "akta", "kk_reissue"):
            await chaos.fault("dukcapil", {"endpoint": endpoint, "timeout": {
                "effect": "applied", "hold_seconds": ACTIVITY_TIMEOUT + 1, "rate": 0.1}})
        first = chaos.worker()
        await first.started()
        phase("worker started")

        ids = await harness.post_all(stack, bodies)
        phase(f"{BUNDLES} births posted")
        await harness.until_issued(stack, before, niks=8)
        flying = await harness.in_flight(stack, ids)
        assert flying >= 50, f"only {flying} bundles in flight"
        killed_at = datetime.now(UTC)
        assert first.signal(signal.SIGKILL) == -signal.SIGKILL
        phase(f"worker killed with {flying} bundles in flight")

        assert await harness.repost(stack, bodies, ids) == BUNDLES  # the hospital retries: same bundles
        phase("hospital re-posted every birth")
        await chaos.worker().started()
        phase("new worker started")
        # The late answers given before the kill were never received: their calls are retried now.
        await chaos.clear_faults()
        assert await harness.repost(stack, bodies, ids) == BUNDLES
        done = await harness.wait_all(stack, ids, timeout=150)
        phase("every bundle finished")

        await harness.audit_exactly_once(stack, done, before)
        await harness.one_bundle_per_record(stack, ids)
        closed_after_kill = [wf async for wf in stack.client.list_workflows(
            f'TaskQueue = "{stack.settings.task_queue}"') if wf.close_time and wf.close_time > killed_at]
        assert len(closed_after_kill) >= 50
        phase("audited")
