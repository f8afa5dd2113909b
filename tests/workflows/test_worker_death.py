"""The read model after a worker dies between a read-model write and its workflow task's completion.

The write is a local activity: a worker can make it from a workflow task the server never records,
then die. The replacement runs that task again from a longer history (other timestamps, possibly
more events), and what it writes must replace what the dead one wrote: in the end the read model
holds exactly the workflow's final state.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session
from temporalio.worker import Worker

from domain.bundle_state import new_input
from domain.contracts import WORKFLOW_TYPE, BundleState, BundleSync, WorkflowTuning
from domain.notification import BirthNotification
from store import bundles
from store.cipher import StateCipher, spec_for_tests
from tests.support import payloads
from tests.support.fake_activities import Fakes
from tests.support.readmodel import engine_for, read_state
from workflows.kelahiran import KelahiranWorkflow

REPO = Path(__file__).resolve().parents[2]
CIPHER = StateCipher.from_spec(spec_for_tests())


@pytest.mark.integration
@pytest.mark.timeout(120)
async def test_after_a_worker_dies_mid_task_the_read_model_equals_the_final_state(temporal_env, tmp_path):
    client = temporal_env.client
    queue, url = f"death-{uuid.uuid4()}", f"sqlite:///{tmp_path}/rm.db"
    n = BirthNotification.model_validate(payloads.manual(children=[payloads.child()]))
    inp = new_input(bundle_id=str(uuid.uuid4()), hospital_id="RSUD", received_at=datetime.now(UTC),
                    notification=n, tuning=WorkflowTuning(retry_max_seconds=1))
    with engine_for(url, migrate=True) as engine:
        with Session(engine) as s:  # as the intake stores it
            assert bundles.insert_received(session=s, state=inp.state, cipher=CIPHER)
        dying = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.workflows.dying_worker", client.service_client.config.target_host,
            queue, url, cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        try:
            # A short task timeout: the server hands the unfinished task on quickly.
            handle = await client.start_workflow(WORKFLOW_TYPE, inp, id=inp.bundle_id, task_queue=queue,
                                                 result_type=BundleState, task_timeout=timedelta(seconds=2),
                                                 execution_timeout=timedelta(minutes=5))
            line = await asyncio.wait_for(dying.stdout.readline(), 60)
            assert line.strip() == b"written", "the dying worker exited before writing"
            dying.send_signal(signal.SIGKILL)  # long before the task's heartbeat could record it
            assert await asyncio.wait_for(dying.wait(), 10) == -signal.SIGKILL
        finally:
            if dying.returncode is None:
                dying.kill()
                await dying.wait()
        with Session(engine) as s:
            dead = read_state(s, inp.bundle_id, CIPHER)
        assert dead.version == 1  # the dead task's write is there

        replacement_writes: list[bool] = []
        fakes = Fakes()
        fakes.paid = True

        async def write(sync: BundleSync) -> None:
            with Session(engine) as s:
                replacement_writes.append(bundles.apply_sync(session=s, sync=sync, cipher=CIPHER))

        fakes.on_sync = write
        async with Worker(client, task_queue=queue, workflows=[KelahiranWorkflow],
                          activities=fakes.activities()):
            final = await handle.result()
        assert final.status.value == "completed"
        assert replacement_writes and all(replacement_writes)  # none refused as older
        with Session(engine) as s:
            stored = read_state(s, inp.bundle_id, CIPHER)
        assert stored == final
