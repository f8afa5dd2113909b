"""The engine floor's worker, its own process: `python -m tools.bench.floor_worker TASK_QUEUE`.

Same Temporal server, worker settings and data converter (TEMPORAL_ADDRESS, KELAHIRAN_PAYLOAD_KEYS...)
as the kelahiran worker; every activity does nothing.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time

from temporalio import activity
from temporalio.worker import Worker

from infra.settings import Settings
from infra.temporal_client import connect
from infra.workflow_runner import workflow_runner
from tools.bench.floor_workflow import FloorWorkflow

ACTIVITIES = ("lookup_family", "register_birth", "issue_akta", "issue_kia", "reissue_kk", "enrol_newborn")


def _noop(name: str):
    @activity.defn(name=name)
    async def noop(payload: dict) -> dict:
        return payload

    return noop


@activity.defn(name="notify_family")
async def notify_family(payload: dict) -> dict:
    """The last step: tells the bench (a line on stdout) that the workflow is done and when its last
    read-model write ran, as ours is seen done in the read model, not through Temporal (a result
    long-poll per workflow would cost the floor's server time that ours does not spend)."""
    print(f"done {activity.info().workflow_id} {payload.get('synced_at', 0.0)}", flush=True)
    return payload


@activity.defn(name="sync_read_model")
async def sync_read_model(payload: dict) -> float:
    """The read-model write: nothing but the time, which the bench times completion by."""
    return time.time()


async def main(task_queue: str) -> None:
    settings = Settings()
    client = await connect(settings)
    worker = Worker(client, task_queue=task_queue, workflows=[FloorWorkflow],
                    activities=[*(_noop(n) for n in ACTIVITIES), notify_family, sync_read_model],
                    max_concurrent_activities=settings.worker_max_concurrent_activities,
                    max_concurrent_workflow_tasks=settings.worker_max_concurrent_workflow_tasks,
                    workflow_runner=workflow_runner())  # the same sandbox as ours
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with worker:
        print("ready", flush=True)
        await stop.wait()


if __name__ == "__main__":
    from cli.serve import run_loop

    run_loop(main(sys.argv[1]), Settings())  # the kelahiran worker's event loop
