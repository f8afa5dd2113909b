"""A correction follow-up on its own (time-skipping server, stand-ins): a business rejection waits for
a person's `retry`, whose validator refuses it while nothing waits, without failing a workflow task."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.worker import Worker

from domain.contracts import (
    CORRECTION_WORKFLOW_TYPE,
    FollowUpInput,
    FollowUpKind,
    FollowUpState,
    UpdateAccepted,
    WorkflowTuning,
)
from domain.contracts.followups import RetryFollowUpInput, follow_up_workflow_id
from tests.support.fake_activities import Fakes
from workflows.followups import KoreksiWorkflow

OLD_AKTA = "3673-LU-01122026-0007"


def _input(bundle_id: str) -> FollowUpInput:
    wid = follow_up_workflow_id(bundle_id, FollowUpKind.CORRECTION, 1)
    return FollowUpInput(kind=FollowUpKind.CORRECTION, workflow_id=f"{wid}-0badc0de", bundle_id=bundle_id,
                         birth_order=1, office="3673", kk_number="3673051203150001",
                         child_nik="3673054112260001", akta_number=OLD_AKTA, card_number="0001234567890",
                         child_name="Siti Aminah", reason="salah ketik nama",
                         tuning=WorkflowTuning(retry_initial_seconds=0.1, retry_max_seconds=1))


@asynccontextmanager
async def _correction(env, fakes: Fakes) -> AsyncIterator[WorkflowHandle]:
    queue, bundle_id = f"followup-{uuid.uuid4()}", str(uuid.uuid4())
    worker = Worker(env.client, task_queue=queue, workflows=[KoreksiWorkflow], activities=fakes.activities())
    async with worker:
        handle = await env.client.start_workflow(
            CORRECTION_WORKFLOW_TYPE, _input(bundle_id), task_queue=queue, result_type=FollowUpState,
            id=follow_up_workflow_id(bundle_id, FollowUpKind.CORRECTION, 1),
            execution_timeout=timedelta(days=1))
        try:
            yield handle
        finally:
            if (await handle.describe()).status is WorkflowExecutionStatus.RUNNING:
                await handle.terminate("test over")


async def _until(handle: WorkflowHandle, check: Callable[[FollowUpState], bool]) -> FollowUpState:
    deadline = time.monotonic() + 20
    while True:
        st = await handle.query("status", result_type=FollowUpState)
        if check(st):
            return st
        assert time.monotonic() < deadline, f"never reached; last {st}"
        await asyncio.sleep(0.05)


async def _retry(handle: WorkflowHandle, reason: str = "nomor akta diperiksa") -> str:
    got = await handle.execute_update("retry", RetryFollowUpInput(reason=reason, actor="operator:t"),
                                      result_type=UpdateAccepted)
    return got.message


async def test_a_rejected_correction_waits_and_resumes_on_the_operators_retry(time_skipping_env):
    env, fakes = time_skipping_env, Fakes()
    fakes.reject["correct_akta"] = "AKTA_TIDAK_SESUAI"
    async with _correction(env, fakes) as handle:
        st = await _until(handle, lambda s: s.status == "needs_attention")
        assert (st.step, st.reason) == ("akta", "AKTA_TIDAK_SESUAI")
        assert fakes.follow_up_syncs[-1].reason == "AKTA_TIDAK_SESUAI"  # the worklist reads this row
        del fakes.reject["correct_akta"]  # resolved at Dukcapil
        assert await _retry(handle) == "retry of step akta scheduled"
        final = await handle.result()
    assert final.status == "completed" and fakes.count("correct_akta") == 2
    statuses = [s.status for s in fakes.follow_up_syncs]
    assert statuses[statuses.index("needs_attention") + 1] == "in_progress"  # off the worklist at once
    # From the akta on, every sync carries it: the read model marks the old number superseded.
    written = [w.akta for w in fakes.follow_up_writes if w.akta is not None]
    assert written
    assert {(a.birth_order, a.name, a.supersedes) for a in written} == {(1, "Siti Aminah", OLD_AKTA)}
    assert written[-1].number == final.documents["akta"] != OLD_AKTA


async def test_a_retry_nothing_waits_for_is_refused_by_the_validator_not_a_failed_task(time_skipping_env):
    env, fakes = time_skipping_env, Fakes()
    fakes.transient["correct_akta"] = 10**6  # Dukcapil down: the step stays in progress
    async with _correction(env, fakes) as handle:
        await _until(handle, lambda s: s.step == "akta" and s.status == "in_progress")
        try:
            await _retry(handle)
        except WorkflowUpdateFailedError as err:
            assert "not waiting for a retry" in str(err.cause)
        else:
            raise AssertionError("the retry was accepted while nothing waited for it")
        assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING
        kinds = [e.event_type async for e in handle.fetch_history_events()]
        assert EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED not in kinds
        # A validator's refusal is not written to the history at all.
        assert EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED not in kinds
