"""Legal clocks on the time-skipping test server: a 28-day wait takes seconds.

The activities are stand-ins registered under the real names, so only the workflow's timing logic
is under test here (the end-to-end tests cover the real activities).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest_asyncio
from temporalio.client import WorkflowHandle
from temporalio.worker import Worker

from api.intake import WIB, hold_as_duplicate
from domain.bundle_state import new_input
from domain.contracts import (
    WORKFLOW_TYPE,
    BundleState,
    CloseBundleInput,
    ProvideNameInput,
    ReportDeathInput,
    WorkflowTuning,
)
from domain.notification import BirthNotification
from store.identity import Match
from tests.support import payloads
from tests.support.fake_activities import Fakes
from tools.embedded import start_temporal
from workflows.kelahiran import KelahiranWorkflow


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def skipping_env():
    env = await start_temporal(time_skipping=True)
    yield env
    await env.shutdown()


async def _start(env, fakes: Fakes, children: list[dict], *, days_ago: int = 0,
                 poll_seconds: float = 86400, held: bool = False) -> tuple[WorkflowHandle, Worker, date]:
    # Time skipping moves the server's clock for good: the birth is "today" by the server's clock.
    born = (await env.get_current_time() + WIB).date() - timedelta(days=days_ago)
    n = BirthNotification.model_validate(payloads.manual(birth_date=born, children=children))
    queue = f"deadlines-{uuid.uuid4()}"
    inp = new_input(bundle_id=str(uuid.uuid4()), hospital_id="RSUD",
                    received_at=datetime.now(UTC), notification=n,
                    tuning=WorkflowTuning(bpjs_poll_seconds=poll_seconds, retry_max_seconds=60))
    if held:  # as the intake starts a bundle matching an earlier one
        hold_as_duplicate(inp.state, Match(bundle_id=str(uuid.uuid4()), same_child=True))
    worker = Worker(env.client, task_queue=queue, workflows=[KelahiranWorkflow],
                    activities=fakes.activities())
    handle = await env.client.start_workflow(WORKFLOW_TYPE, inp, id=inp.bundle_id, task_queue=queue,
                                             execution_timeout=timedelta(days=400))
    return handle, worker, born


async def _end(handle: WorkflowHandle) -> None:
    """End a bundle still waiting while its worker runs: the test server stops skipping time while
    an activity or a workflow task (a timer firing) waits for a worker, and the server is shared."""
    await handle.terminate("test over")


async def _state(handle) -> BundleState:
    return await handle.query("status", result_type=BundleState)


def _svc(state: BundleState, service: str, order: int = 1):
    return next(c for c in state.children if c.birth_order == order).services[service]


async def test_unpaid_bpjs_is_reminded_at_once_escalated_reminded_again_then_passed(skipping_env):
    fakes = Fakes()
    handle, worker, born = await _start(skipping_env, fakes, [payloads.child()])
    async with worker:
        await skipping_env.sleep(timedelta(days=2))
        st = await _state(handle)
        bpjs = _svc(st, "bpjs")
        assert (bpjs.status.value, bpjs.deadline, bpjs.deadline_state) == (
            "awaiting_payment", born + timedelta(days=28), "ok")
        assert st.deadline_risk is False
        # The family is told as soon as the payment is awaited: the VA and the bill are in the SMS.
        first = fakes.reminders[0]
        assert [(r.service.value, r.kind) for r in fakes.reminders] == [("bpjs", "payment_due")]
        assert (first.phone, first.virtual_account, first.amount_due, first.due) == (
            "081234567890", bpjs.facts["virtual_account"], 35000, born + timedelta(days=28))
        assert [e.message for e in st.timeline if e.kind == "reminder_sent"] == ["payment_due"]
        await skipping_env.sleep(timedelta(days=20))  # day 22: inside the 7-day warning window
        st = await _state(handle)
        assert _svc(st, "bpjs").deadline_state == "approaching" and st.deadline_risk is True
        assert [(r.service.value, r.kind) for r in fakes.reminders] == [
            ("bpjs", "payment_due"), ("bpjs", "deadline_approaching")]
        assert "deadline_approaching" in [e.kind for e in st.timeline]
        await skipping_env.sleep(timedelta(days=7))  # day 29: past the deadline
        st = await _state(handle)
        assert _svc(st, "bpjs").deadline_state == "passed"
        assert st.status.value == "in_progress"  # late enrolment is still accepted: keep waiting
        fakes.paid = True
        await skipping_env.sleep(timedelta(days=2))
        st = await _state(handle)
        assert st.status.value == "completed" and st.deadline_risk is False
        assert len(fakes.reminders) == 2


async def test_a_birth_reported_on_day_22_is_reminded_once_the_payment_is_awaited(skipping_env):
    fakes = Fakes()
    handle, worker, born = await _start(skipping_env, fakes, [payloads.child()], days_ago=22)
    async with worker:
        await skipping_env.sleep(timedelta(hours=1))
        st = await _state(handle)
        assert _svc(st, "bpjs").deadline_state == "approaching"
        # The deadline's own reminder found nothing awaited yet (not enrolled): the wait's did.
        assert [(r.service.value, r.kind) for r in fakes.reminders] == [("bpjs", "payment_due")]
        assert [e.kind for e in st.timeline].count("reminder_sent") == 1
        await _end(handle)


async def test_the_gateway_refusing_a_reminder_is_recorded_as_failed(skipping_env):
    fakes = Fakes()
    fakes.reject["deliver_reminder"] = "NOMOR_TIDAK_AKTIF"
    handle, worker, _ = await _start(skipping_env, fakes, [payloads.child()])
    async with worker:
        await skipping_env.sleep(timedelta(days=1))
        st = await _state(handle)
        failed = [e for e in st.timeline if e.kind == "reminder_failed"]
        assert [(e.reason, e.message) for e in failed] == [("NOMOR_TIDAK_AKTIF", "payment_due")]
        assert "reminder_sent" not in [e.kind for e in st.timeline]
        await _end(handle)


async def test_no_reminder_for_a_child_who_died_or_a_closed_bundle(skipping_env):
    fakes = Fakes()
    handle, worker, born = await _start(skipping_env, fakes, [payloads.child(name=None)])
    async with worker:
        await skipping_env.sleep(timedelta(hours=1))
        assert sorted(r.kind for r in fakes.reminders) == ["name_missing", "payment_due"]
        await handle.execute_update("report_death", ReportDeathInput(
            birth_order=1, date_of_death=born, place_of_death="RSUD Serang"))
        await skipping_env.sleep(timedelta(days=55))  # both deadlines approach: nobody is reminded
        st = await _state(handle)
        assert len(fakes.reminders) == 2
        assert _svc(st, "bpjs").facts.get("status") == "NONAKTIF" and "tagihan" not in _svc(st, "bpjs").facts
        await _end(handle)  # its akta clock would fire with no worker and stop the shared clock
    fakes = Fakes()
    handle, worker, _ = await _start(skipping_env, fakes, [payloads.child(name=None)], days_ago=1)
    async with worker:
        await skipping_env.sleep(timedelta(hours=1))
        await handle.execute_update("close_bundle", CloseBundleInput(reason="ditutup untuk uji"))
        await skipping_env.sleep(timedelta(days=55))
        assert sorted(r.kind for r in fakes.reminders) == ["name_missing", "payment_due"]


async def test_no_reminder_for_a_bundle_held_as_a_suspected_duplicate(skipping_env):
    fakes = Fakes()
    handle, worker, _ = await _start(skipping_env, fakes, [payloads.child(name=None)], days_ago=22,
                                     held=True)
    async with worker:
        await skipping_env.sleep(timedelta(days=35))  # day 57: BPJS deadline passed, the akta approaching
        st = await _state(handle)
        assert st.routing.reason == "DUPLIKAT_DICURIGAI" and _svc(st, "akta").deadline_state == "approaching"
        assert fakes.reminders == [] and "reminder_sent" not in [e.kind for e in st.timeline]
        await _end(handle)


async def test_missing_name_is_reminded_before_the_akta_deadline(skipping_env):
    fakes = Fakes()
    fakes.paid = True
    handle, worker, born = await _start(skipping_env, fakes, [payloads.child(name=None)])
    async with worker:
        await skipping_env.sleep(timedelta(days=51))
        st = await _state(handle)
        akta = _svc(st, "akta")
        assert (akta.status.value, akta.deadline_state) == ("waiting_input", "approaching")
        assert [(r.service.value, r.kind) for r in fakes.reminders] == [
            ("akta", "name_missing"), ("akta", "deadline_approaching")]
        assert fakes.reminders[0].due == born + timedelta(days=60)
        assert _svc(st, "bpjs").deadline_state == "ok"  # done long ago: never escalated
        await handle.execute_update("provide_name", ProvideNameInput(birth_order=1, name="Nur"))
        assert await handle.result() is not None
        st = await _state(handle)
        assert st.status.value == "completed" and st.deadline_risk is False


async def test_stillbirth_report_needing_a_person_is_escalated_without_a_family_reminder(skipping_env):
    fakes = Fakes()
    fakes.reject_stillbirth = True
    handle, worker, _ = await _start(skipping_env, fakes, [payloads.stillborn()])
    async with worker:
        await skipping_env.sleep(timedelta(days=24))
        st = await _state(handle)
        sk = _svc(st, "surat_lahir_mati")
        assert (sk.status.value, sk.deadline_state) == ("needs_attention", "approaching")
        assert fakes.reminders == []
        await skipping_env.sleep(timedelta(days=7))
        assert _svc(await _state(handle), "surat_lahir_mati").deadline_state == "passed"
