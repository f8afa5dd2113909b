"""The worker's sandbox runner: serialisation contexts read directly, the sandbox still enforced."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from temporalio import activity, workflow
from temporalio.client import WorkflowFailureError
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox._runner import _Instance

from api.sandbox import DirectContextSandboxRunner

pytestmark = pytest.mark.integration


@activity.defn(name="sandbox_echo")
async def echo(text: str) -> str:
    return text.upper()


@workflow.defn(name="SandboxProbe", sandboxed=True)
class SandboxProbe:
    @workflow.run
    async def run(self, text: str) -> str:
        first = await workflow.execute_activity(echo, text, start_to_close_timeout=timedelta(seconds=10))
        local = await workflow.execute_local_activity(echo, first + "!",
                                                      start_to_close_timeout=timedelta(seconds=10))
        return local


@workflow.defn(name="SandboxBreaker", sandboxed=True)
class SandboxBreaker:
    @workflow.run
    async def run(self) -> str:
        return date.today().isoformat()  # not deterministic: the sandbox must refuse it


async def test_contexts_come_without_reentering_the_sandbox(temporal_env, monkeypatch):
    def reentered(*_a, **_k):
        raise AssertionError("the SDK's sandbox re-entry was used")

    monkeypatch.setattr(_Instance, "get_serialization_context", reentered)
    monkeypatch.setattr(_Instance, "get_external_store_context", reentered)
    queue = f"sandbox-{uuid.uuid4()}"
    async with Worker(temporal_env.client, task_queue=queue, workflows=[SandboxProbe], activities=[echo],
                      workflow_runner=DirectContextSandboxRunner()):
        got = await temporal_env.client.execute_workflow(
            SandboxProbe.run, "halo", id=f"probe-{uuid.uuid4()}", task_queue=queue,
            execution_timeout=timedelta(seconds=30))
    assert got == "HALO!"  # payloads went through the (encrypting) converter both ways


async def test_workflow_code_is_still_sandboxed(temporal_env):
    queue = f"sandbox-{uuid.uuid4()}"
    async with Worker(temporal_env.client, task_queue=queue, workflows=[SandboxBreaker],
                      workflow_runner=DirectContextSandboxRunner(),
                      workflow_failure_exception_types=[Exception]):
        with pytest.raises(WorkflowFailureError) as err:
            await temporal_env.client.execute_workflow(
                SandboxBreaker.run, id=f"breaker-{uuid.uuid4()}", task_queue=queue,
                execution_timeout=timedelta(seconds=30))
    assert getattr(err.value.cause, "type", None) == "RestrictedWorkflowAccessError"
