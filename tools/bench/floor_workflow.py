"""The engine floor: KelahiranWorkflow's shape for one live birth, with no-op activities.

Same activities in the same order and parallelism (lookup -> register -> akta -> kia ‖ kk after
akta ‖ enrolment), the two deadline timers, the coalesced read-model sync loop (local activities, as
KelahiranWorkflow's), and the family's notice after the last write. Inert module: the workflow sandbox
re-imports it.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

FLOOR_WORKFLOW = "BenchFloorWorkflow"
RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=60),
                    backoff_coefficient=2.0, maximum_attempts=0)


@workflow.defn(name=FLOOR_WORKFLOW)
class FloorWorkflow:
    def __init__(self) -> None:
        self._dirty = False
        self._finished = False
        self._version = 0
        self._synced_at = 0.0  # when the last write ran (the bench times completion by it)
        self._settled = {"akta": False, "bpjs": False}
        self._akta = False

    @workflow.run
    async def run(self, payload: dict) -> float:
        syncer = asyncio.create_task(self._sync_loop())
        self._dirty = True
        watches = [asyncio.create_task(self._watch(s)) for s in self._settled]
        await self._step("lookup_family", payload)
        await self._step("register_birth", payload)
        await asyncio.gather(self._akta_then_kia(payload), self._kk(payload), self._bpjs(payload))
        await asyncio.gather(*watches)
        self._finished = self._dirty = True
        await syncer
        # The family's SMS, after the last write; it also tells the bench when the last write ran
        # (tools/bench/floor_worker.py).
        await self._step("notify_family", {**payload, "synced_at": self._synced_at})
        return self._synced_at

    async def _step(self, name: str, payload: dict) -> None:
        self._dirty = True  # in progress
        await workflow.execute_activity(name, payload, start_to_close_timeout=timedelta(seconds=30),
                                        retry_policy=RETRY)
        self._dirty = True  # completed

    async def _akta_then_kia(self, payload: dict) -> None:
        await self._step("issue_akta", payload)
        self._akta = self._settled["akta"] = True
        await self._step("issue_kia", payload)

    async def _kk(self, payload: dict) -> None:
        await workflow.wait_condition(lambda: self._akta)
        await self._step("reissue_kk", payload)

    async def _bpjs(self, payload: dict) -> None:
        await self._step("enrol_newborn", payload)
        self._settled["bpjs"] = True

    async def _watch(self, service: str) -> None:
        # KelahiranWorkflow's legal-deadline watch: a long timer cancelled once the service settles.
        try:
            await workflow.wait_condition(lambda: self._settled[service], timeout=timedelta(days=50))
        except TimeoutError:
            pass

    async def _sync_loop(self) -> None:
        while True:
            await workflow.wait_condition(lambda: self._dirty or self._finished)
            if not self._dirty and self._finished:
                return
            self._dirty = False
            self._version += 1
            # Like KelahiranWorkflow's: a local activity.
            self._synced_at = await workflow.execute_local_activity(
                "sync_read_model", {"version": self._version}, result_type=float,
                start_to_close_timeout=timedelta(seconds=30), retry_policy=RETRY)
