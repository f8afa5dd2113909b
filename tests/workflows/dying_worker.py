"""A worker that writes its first read-model snapshot, then hangs until it is killed.

Run by test_snapshot_versions.py as `python -m tests.workflows.dying_worker TARGET QUEUE OUT`:
each snapshot it is asked to write is appended to OUT (one JSON line), as the real activity would
store it, before the workflow task that asked for it can be completed.
"""

from __future__ import annotations

import asyncio
import os
import sys

from temporalio.client import Client
from temporalio.worker import Worker

from domain.contracts import ReadModelSync
from infra.codec import test_converter
from tests.support.fake_activities import Fakes
from workflows.kelahiran import KelahiranWorkflow


async def main(target: str, queue: str, out: str) -> None:
    client = await Client.connect(target, data_converter=test_converter())
    fakes = Fakes()

    async def write_then_hang(inp: ReadModelSync) -> None:
        with open(out, "a") as f:  # noqa: ASYNC230 - one short line, before the hang
            f.write(inp.state.model_dump_json() + "\n")
            f.flush()
            os.fsync(f.fileno())
        await asyncio.sleep(3600)

    fakes.on_sync = write_then_hang
    async with Worker(client, task_queue=queue, workflows=[KelahiranWorkflow],
                      activities=fakes.activities()):
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
