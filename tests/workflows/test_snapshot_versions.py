"""Read-model versions across a worker death: a number is never reused for other content.

The read-model write is a local activity, so a worker can write a snapshot from a workflow task the
server never records, then die. The replacement re-runs that task later, with other timestamps (and
possibly more events). If it reused the version, the read model (which keeps a row unless the new
version is higher) and the hospital (told "higher is newer") would keep the dead worker's snapshot.
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
from temporalio.worker import Worker

from domain.bundle_state import content_hash
from domain.contracts import WORKFLOW_TYPE, BundleState, KelahiranInput, ReadModelSync, WorkflowTuning
from domain.notification import BirthNotification
from tests.support import payloads
from tests.support.fake_activities import Fakes
from workflows.kelahiran import KelahiranWorkflow
from workflows.readmodel_sync import VERSIONS_PER_TASK, snapshot_version

REPO = Path(__file__).resolve().parents[2]


def test_versions_rise_within_a_task_and_a_later_task_outranks_it():
    v = 7  # a previous version below the history's floor: the next one moves up, never down
    seen = []
    for _ in range(VERSIONS_PER_TASK):
        v = snapshot_version(v, 12)  # a task whose local activities keep writing
        seen.append(v)
    assert seen == sorted(set(seen)) and seen[0] == 12 * VERSIONS_PER_TASK
    # The task re-run after a worker died starts at least three events later (timed out,
    # scheduled, started): its first write outranks everything the dead task wrote.
    assert snapshot_version(0, 15) > max(seen)
    assert snapshot_version(10**9, 15) == 10**9 + 1


@pytest.mark.integration
@pytest.mark.timeout(120)
async def test_a_dead_workers_snapshot_is_outranked_by_its_replacement(temporal_env, tmp_path):
    client = temporal_env.client
    queue = f"versions-{uuid.uuid4()}"
    out = tmp_path / "dying.jsonl"
    n = BirthNotification.model_validate(payloads.manual(children=[payloads.child()]))
    inp = KelahiranInput(bundle_id=str(uuid.uuid4()), hospital_id="RSUD", content_hash=content_hash(n),
                         received_at=datetime.now(UTC), notification=n,
                         tuning=WorkflowTuning(retry_max_seconds=1))
    target = client.service_client.config.target_host
    dying = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.workflows.dying_worker", target, queue, str(out),
        cwd=REPO, stdin=subprocess.DEVNULL)
    try:
        # A short task timeout: the server hands the unfinished task on quickly.
        handle = await client.start_workflow(WORKFLOW_TYPE, inp, id=inp.bundle_id, task_queue=queue,
                                             result_type=BundleState, task_timeout=timedelta(seconds=2),
                                             execution_timeout=timedelta(minutes=5))
        for _ in range(1500):  # the first snapshot is written inside the bundle's first task
            if out.exists() and out.read_text().endswith("\n"):
                break
            assert dying.returncode is None, "the dying worker exited before writing"
            await asyncio.sleep(0.02)
        dying.send_signal(signal.SIGKILL)  # long before the task's heartbeat could record it
        assert await asyncio.wait_for(dying.wait(), 10) == -signal.SIGKILL
    finally:
        if dying.returncode is None:
            dying.kill()
            await dying.wait()
    dead = [BundleState.model_validate_json(line) for line in out.read_text().splitlines()]
    assert len(dead) == 1

    written: list[BundleState] = []
    fakes = Fakes()
    fakes.paid = True

    async def record(inp: ReadModelSync) -> None:
        written.append(inp.state.model_copy(deep=True))

    fakes.on_sync = record
    async with Worker(client, task_queue=queue, workflows=[KelahiranWorkflow],
                      activities=fakes.activities()):
        final = await handle.result()
    assert final.status.value == "completed"

    by_version: dict[int, str] = {}
    for st in dead + written:
        body = st.model_dump_json()
        assert by_version.setdefault(st.version, body) == body, f"version {st.version} reused"
    assert written[-1].version == max(by_version) and written[-1].status.value == "completed"
    # The dead worker's timeline and the live one differ (the re-run task has its own time).
    assert dead[0].model_dump_json() not in {s.model_dump_json() for s in written}
