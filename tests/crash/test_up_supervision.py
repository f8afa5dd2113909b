"""Under `kelahiran up`, SIGKILL the worker, then Temporal, then the API, with births in flight: `up`
restarts each, and every accepted birth completes with each document issued once."""

from __future__ import annotations

import asyncio
import json
import os
import signal

import httpx
import pytest

from cli.local import client_settings
from infra.temporal_client import connect
from tests.crash import harness
from tests.support.stack import ADMIN, Stack
from tests.support.up_process import PORT_OPTIONS, Up, distinct_free_ports

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

PER_ROUND = 8  # births posted before each kill; every third is twins
LATENCY = {"kind": "uniform", "min_ms": 200, "max_ms": 600}


async def test_up_restarts_the_worker_temporal_and_the_api_and_every_birth_completes_once(tmp_path):
    phase = harness.Phases()
    data = tmp_path / "data"
    up = await asyncio.to_thread(Up, data, distinct_free_ports(len(PORT_OPTIONS)))
    try:
        await asyncio.to_thread(up.wait_up)
        phase("kelahiran up is up")
        urls = json.loads((data / "urls.json").read_text())
        settings = client_settings(data)  # what `admin` and `readmodel` would use: the data folder
        stack = Stack(api_url=urls["api"], dukcapil_url=urls["dukcapil"], bpjs_url=urls["bpjs"],
                      settings=settings, client=await connect(settings),
                      http=httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_keepalive_connections=0)))
        bodies = harness.births(await harness.families(stack, 3 * PER_ROUND))
        before = await harness.counts(stack)
        for system in ("dukcapil", "bpjs"):  # slow enough that bundles are mid-way at each kill
            r = await stack.http.post(f"{urls[system]}/admin/faults", headers=ADMIN,
                                      json={"endpoint": "*", "latency": LATENCY})
            assert r.status_code == 201, r.text
        ids: list[str] = []
        for round_, (ending, name) in enumerate((("cli worker", "worker"), ("start-dev", "temporal"),
                                                 ("cli api", "api"))):
            batch = bodies[round_ * PER_ROUND:(round_ + 1) * PER_ROUND]
            ids += await harness.post_all(stack, batch)
            await harness.until_issued(stack, before, niks=2 + round_ * PER_ROUND // 2)
            flying = await harness.in_flight(stack, ids)  # asked before: the API may be the one killed
            os.kill(_pid(up, ending), signal.SIGKILL)
            phase(f"{name} killed with {flying} bundles in flight")
            await asyncio.to_thread(up.wait_for, f"{name} stopped unexpectedly (killed by SIGKILL)")
            await asyncio.to_thread(up.wait_for, f"{name} is ready again", 180)
            phase(f"{name} restarted by up")
        # The hospital retries every birth: each answer names the same bundle.
        assert await harness.repost(stack, bodies, ids) == len(bodies)
        for system in ("dukcapil", "bpjs"):
            assert (await stack.http.delete(f"{urls[system]}/admin/faults", headers=ADMIN)).status_code == 204
        done = await harness.wait_all(stack, ids, timeout=240)
        phase("every bundle finished")
        await harness.audit_exactly_once(stack, done, before)
        await harness.one_bundle_per_record(stack, ids)
        phase("audited: each document issued once")
        await stack.http.aclose()
        assert await asyncio.to_thread(up.stop, signal.SIGINT) == 0, up.output
    except BaseException:
        print(up.output)
        raise
    finally:
        up.kill()


def _pid(up: Up, ending: str) -> int:
    found = [pid for pid, cmd in up.children().items() if ending in cmd]
    assert len(found) == 1, up.children()
    return found[0]

