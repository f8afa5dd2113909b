"""Every history this session produced replays against the current workflow code (determinism)."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from infra.codec import test_converter as make_test_converter
from tests.support import payloads
from workflows.followups import KematianWorkflow, KoreksiWorkflow
from workflows.kelahiran import KelahiranWorkflow

WORKFLOWS = [KelahiranWorkflow, KematianWorkflow, KoreksiWorkflow]

pytestmark = pytest.mark.integration


async def test_histories_replay(stack):
    fam = await stack.family(kab_kota="3673", segmen="PBPU", marital="KAWIN_TERCATAT")
    kids = [payloads.child(1, name=None), payloads.child(2, sex="male", name="Rafi")]
    bid = await stack.accepted(payloads.from_family(fam, children=kids))
    def ready(b: dict) -> bool:
        kids = b["children"]
        return (kids[0]["services"]["akta"]["status"] == "waiting_input"
                and all(c["services"]["bpjs"]["status"] == "awaiting_payment" for c in kids))

    b = await stack.wait(bid, ready)
    r = await stack.http.post(f"{stack.api_url}/v1/births/{bid}/children/1/name", json={"name": "Rara"},
                              headers=stack.hospital())
    assert r.status_code == 200
    facts = b["children"][0]["services"]["bpjs"]["facts"]
    await stack.pay(facts["virtual_account"], int(facts["tagihan"]))
    # Twins of a PBPU family share the family's virtual account: one bill per child.
    facts2 = b["children"][1]["services"]["bpjs"]["facts"]
    assert facts2["virtual_account"] == facts["virtual_account"]
    await stack.pay(facts2["virtual_account"], int(facts2["tagihan"]))
    assert (await stack.wait(bid))["status"] == "completed"

    histories = stack.client.list_workflows(f"TaskQueue = '{stack.settings.task_queue}'").map_histories()
    replayer = Replayer(workflows=WORKFLOWS, data_converter=make_test_converter())
    results = await replayer.replay_workflows(histories, raise_on_replay_failure=False)
    failures = {run_id: str(err) for run_id, err in results.replay_failures.items()}
    assert failures == {}
    assert len(results.replay_failures) == 0


HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_committed_histories_replay(path: Path):
    """The committed histories (tools/record_histories.py) replay against the current workflow code.

    No deployment runs these workflows yet, so they were recorded from the current code; once bundles
    run in production, a change that breaks one needs workflow.patched and the old history kept."""
    assert len(HISTORIES) >= 6
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(workflows=WORKFLOWS, data_converter=make_test_converter())
    await replayer.replay_workflow(history)
