"""A worker that makes its first read-model write, then hangs until it is killed.

Run by test_worker_death.py as `python -m tests.workflows.dying_worker TARGET QUEUE DATABASE_URL`:
the write goes to the real read model, as the real activity would make it, before the workflow
task that asked for it can be completed; then the worker hangs so the task never completes.
"""

from __future__ import annotations

import asyncio
import sys

from sqlmodel import Session
from temporalio.client import Client
from temporalio.worker import Worker

from domain.contracts import BundleSync
from infra.codec import test_converter
from store import bundles
from store.cipher import StateCipher, spec_for_tests
from store.db import make_engine
from tests.support.fake_activities import Fakes
from workflows.kelahiran import KelahiranWorkflow


async def main(target: str, queue: str, url: str) -> None:
    client = await Client.connect(target, data_converter=test_converter())
    engine, cipher = make_engine(url), StateCipher.from_spec(spec_for_tests())
    fakes = Fakes()

    async def write_then_hang(inp: BundleSync) -> None:
        with Session(engine) as s:
            assert bundles.apply_sync(session=s, sync=inp, cipher=cipher)
        print("written", flush=True)
        await asyncio.sleep(3600)

    fakes.on_sync = write_then_hang
    async with Worker(client, task_queue=queue, workflows=[KelahiranWorkflow],
                      activities=fakes.activities()):
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
