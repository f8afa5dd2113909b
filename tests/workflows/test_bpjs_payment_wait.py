"""The BPJS payment wait on the time-skipping test server: its history does not grow with time.

An unpaid PBPU bundle checks BPJS every `bpjs_poll_seconds` for as long as it takes (past the
28-day deadline, flagged); the checks are the retries of one activity, which write no history
events. Stand-in activities (tests/support/fake_activities.py), as in test_deadlines.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest_asyncio
from temporalio.client import WorkflowHandle

from domain.contracts import CloseBundleInput, ReportDeathInput, RetryServiceInput, Service
from tests.support import payloads
from tests.support.bundles import skip_days
from tests.support.fake_activities import Fakes
from tests.workflows.test_deadlines import _end, _start, _state, _svc
from tools.embedded import start_temporal

# The whole history of an unpaid bundle, whatever its age: intake to enrolment, the reminders, the
# deadline's two stages and their read-model writes. The old wait (a timer and an activity per
# check, about 11 events) passed this within a day of hourly checks and reached Temporal's
# 51,200-event limit in ~6.5 h at `kelahiran up`'s 5 s.
HISTORY_BOUND = 100  # 72 measured on day 30 and on day 90
HOUR = 3600


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def skipping_env():
    env = await start_temporal(time_skipping=True)
    yield env
    await env.shutdown()


async def _events(handle: WorkflowHandle) -> int:
    return len((await handle.fetch_history()).events)


async def test_an_unpaid_bundle_history_stays_bounded_after_30_and_90_days(skipping_env):
    fakes = Fakes()
    handle, worker, born = await _start(skipping_env, fakes, [payloads.child()], poll_seconds=HOUR)
    async with worker:
        await skip_days(skipping_env, 30)
        day30 = await _events(handle)
        st = await _state(handle)
        bpjs = _svc(st, "bpjs")
        assert (bpjs.status.value, bpjs.deadline_state, st.status.value) == (
            "awaiting_payment", "passed", "in_progress")
        checks30 = sum(1 for name, _ in fakes.calls if name == "await_bpjs_payment")
        assert checks30 >= 30 * 24 - 2  # BPJS was asked every hour...
        assert day30 < HISTORY_BOUND  # ... and none of it is in the history

        await skip_days(skipping_env, 60)
        day90 = await _events(handle)
        checks90 = sum(1 for name, _ in fakes.calls if name == "await_bpjs_payment")
        assert checks90 >= 90 * 24 - 2
        assert day90 < HISTORY_BOUND and day90 - day30 <= 2  # 1,440 more checks, no more history
        print(f"history: {day30} events on day 30, {day90} on day 90 ({checks90} checks)")
        assert _svc(await _state(handle), "bpjs").status.value == "awaiting_payment"

        fakes.paid = True  # paid on day 90: the next hourly check ends the wait
        await skipping_env.sleep(timedelta(hours=2))
        st = await _state(handle)
        assert (_svc(st, "bpjs").status.value, _svc(st, "bpjs").facts["status"]) == ("completed", "AKTIF")
        assert st.status.value == "completed"
        assert await _events(handle) < HISTORY_BOUND


async def test_a_person_retry_checks_at_once_and_the_wait_goes_on(skipping_env):
    fakes = Fakes()
    handle, worker, _ = await _start(skipping_env, fakes, [payloads.child()])  # daily checks
    async with worker:
        await skipping_env.sleep(timedelta(hours=2))
        fakes.paid = True  # paid at the bank; an operator asks again instead of waiting a day
        await handle.execute_update("retry_service", RetryServiceInput(service=Service.BPJS, birth_order=1))
        await skipping_env.sleep(timedelta(minutes=5))
        st = await _state(handle)
        assert _svc(st, "bpjs").status.value == "completed" and st.status.value == "completed"
        assert [n for n, _ in fakes.calls].count("membership_status") == 1


async def test_closing_or_a_death_ends_the_wait(skipping_env):
    fakes = Fakes()
    handle, worker, born = await _start(skipping_env, fakes, [payloads.child(name=None)])
    async with worker:
        await skipping_env.sleep(timedelta(hours=2))
        await handle.execute_update("report_death", ReportDeathInput(
            birth_order=1, date_of_death=born, place_of_death="RSUD Serang"))
        await skipping_env.sleep(timedelta(days=3))
        st = await _state(handle)
        bpjs = _svc(st, "bpjs")
        assert bpjs.status.value == "not_applicable"
        # The bundle shows the membership ended, not a bill to pay.
        assert bpjs.facts == {"segmen": "PBPU", "kelas": "3", "status": "NONAKTIF", "berakhir": "MENINGGAL"}
        checks = [n for n, _ in fakes.calls].count("await_bpjs_payment")
        await skipping_env.sleep(timedelta(days=3))
        assert [n for n, _ in fakes.calls].count("await_bpjs_payment") == checks  # nobody asks BPJS
        await _end(handle)
    fakes = Fakes()
    handle, worker, _ = await _start(skipping_env, fakes, [payloads.child()])
    async with worker:
        await skipping_env.sleep(timedelta(hours=2))
        await handle.execute_update("close_bundle", CloseBundleInput(reason="keluarga pindah"))
        await handle.result()
        st = await _state(handle)
        assert (st.status.value, _svc(st, "bpjs").status.value) == ("closed_with_issues", "cancelled")
