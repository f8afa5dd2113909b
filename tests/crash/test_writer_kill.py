"""SIGKILL the worker's read-model writer process: /health says so, it comes back, bundles finish."""

from __future__ import annotations

import asyncio
import signal
import time

import httpx
import psutil
import pytest

from tests.crash import harness

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

BUNDLES = 6


def _writer_child(worker_pid: int) -> psutil.Process:
    found = [p for p in psutil.Process(worker_pid).children()
             if "activities.readmodel_process" in " ".join(p.cmdline())]
    assert len(found) == 1, found
    return found[0]


async def _health_until(url: str, status: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=1) as http:
        while time.monotonic() < deadline:
            if (await http.get(url)).status_code == status:
                return
            await asyncio.sleep(0.02)
    raise AssertionError(f"/health never answered {status}")


async def test_a_killed_writer_process_is_reported_and_replaced(temporal_env, tmp_path):
    async with harness.chaos_stack(tmp_path, temporal_env.client) as chaos:
        stack = chaos.stack
        worker = chaos.worker()
        await worker.started()
        health = f"http://127.0.0.1:{worker.health_port}/health"
        first = _writer_child(worker.popen.pid)
        first.send_signal(signal.SIGKILL)
        await _health_until(health, 503)  # the worker says its writer is down ...
        await _health_until(health, 200)  # ... until it has started a new one by itself
        assert _writer_child(worker.popen.pid).pid != first.pid
        ids = await harness.post_all(stack, harness.births(await harness.families(stack, BUNDLES)))
        done = await harness.wait_all(stack, ids, timeout=120)  # the read model shows them completed
        assert len(done) == BUNDLES and all(b["status"] == "completed" for b in done)
