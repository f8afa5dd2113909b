"""Tracing through the SDK's interceptor: off by default; when on, one trace from start to activity."""

from __future__ import annotations

import uuid
from datetime import timedelta

from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from infra import tracing
from infra.settings import Settings
from infra.temporal_bin import temporal_test_server
from infra.workflow_runner import workflow_runner


@activity.defn(name="trace_me_say")
async def say(name: str) -> str:
    return f"halo {name}"


@workflow.defn(name="TraceMe")
class TraceMe:
    @workflow.run
    async def run(self, name: str) -> str:
        return await workflow.execute_activity(say, name, start_to_close_timeout=timedelta(seconds=10))


def test_off_unless_an_endpoint_is_set():
    assert tracing.interceptors(Settings()) == []


def test_the_service_is_named_by_the_command(monkeypatch):
    monkeypatch.setattr("sys.argv", ["kelahiran", "worker"])
    assert tracing.service_name(Settings()) == "kelahiran-worker"
    assert tracing.service_name(Settings(service_name="kelahiran-api-1")) == "kelahiran-api-1"


async def test_a_start_its_workflow_and_its_activity_are_one_trace():
    exporter = InMemorySpanExporter()
    assert tracing.configure(Settings(otlp_endpoint="http://collector.invalid:4318"), exporter=exporter)
    settings = Settings(otlp_endpoint="http://collector.invalid:4318")
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(temporal_test_server()))
    try:
        # As infra.temporal_client.connect does: the client carries them, its worker inherits them.
        client = Client(env.client.service_client, namespace=env.client.namespace,
                        interceptors=tracing.interceptors(settings))
        queue = f"trace-{uuid.uuid4()}"
        async with Worker(client, task_queue=queue, workflows=[TraceMe], activities=[say],
                          workflow_runner=workflow_runner()):  # the sandbox our workers use
            got = await client.execute_workflow(TraceMe.run, "Siti", id=f"trace-{uuid.uuid4()}",
                                                task_queue=queue)
    finally:
        await env.shutdown()
    assert got == "halo Siti"
    trace.get_tracer_provider().force_flush()
    spans = exporter.get_finished_spans()
    names = {s.name for s in spans}
    assert {"StartWorkflow:TraceMe", "RunWorkflow:TraceMe", "StartActivity:trace_me_say",
            "RunActivity:trace_me_say"} <= names, names
    # This test's spans (the process's provider is global: spans of other tests' workers may be there)
    ours = [s for s in spans if s.name.endswith((":TraceMe", ":trace_me_say"))]
    assert len({s.context.trace_id for s in ours}) == 1, sorted((s.context.trace_id, s.name) for s in ours)
    # Names and ids only: no payload (the name sent) in any attribute.
    assert not any("Siti" in str(v) for s in spans for v in (s.attributes or {}).values())
