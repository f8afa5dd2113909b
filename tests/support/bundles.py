"""One bundle on the time-skipping test server: its own family, task queue, worker and stand-ins.

For the path tests (tests/workflows/test_path_*.py): every test draws a family no other test uses
(fresh KK and parents' NIKs), starts its bundle on a fresh task queue with a worker that only it
runs, and reads only that bundle's state. A bundle still running when its test ends is terminated,
so nothing a test leaves behind moves when a later test skips time.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain.bundle_state import new_input
from domain.contracts import (
    WORKFLOW_TYPE,
    BundleState,
    ServiceState,
    UpdateAccepted,
    WorkflowTuning,
)
from domain.notification import BirthNotification
from tests.support import payloads
from tests.support.fake_activities import FakeFamily, Fakes
from tests.support.nik import make_nik
from workflows.followups import KematianWorkflow, KoreksiWorkflow
from workflows.kelahiran import KelahiranWorkflow

WIB = timezone(timedelta(hours=7))
# Long enough for every legal clock these tests skip through; short enough to end a stuck bundle.
EXECUTION_TIMEOUT = timedelta(days=200)
_serials = itertools.count(5001)


def new_family(fakes: Fakes, **traits) -> FakeFamily:
    """A family of its own (KK and parents' NIKs no other test uses), known to `fakes`."""
    n = next(_serials)
    kecamatan = traits.pop("kecamatan", "367305")
    fam = FakeFamily(kk_number=f"{kecamatan}1203{15 + n % 10:02d}{n:04d}",
                     mother_nik=make_nik(kecamatan, date(1995, 3, 12), "female", n),
                     father_nik=make_nik(kecamatan, date(1992, 7, 1), "male", n),
                     kecamatan=kecamatan, **traits)
    fakes.families[fam.kk_number] = fam
    return fam


def stranger(sex: str = "female") -> str:
    """A NIK nobody's family holds (Dukcapil does not know it unless a test says so)."""
    return make_nik("367301", date(1990, 6, 1), sex, next(_serials))


def notification(fam: FakeFamily, born: date, children: list[dict] | None = None, *,
                 proof: str = "marriage", **over) -> BirthNotification:
    """The hospital's notification for `fam`; proof: marriage (buku nikah), sptjm or none."""
    body = payloads.manual(
        birth_date=born, children=children or [payloads.child()],
        mother={"nik": fam.mother_nik, "name": "Rina Marlina"},
        father={"nik": fam.father_nik, "name": "Agus Salim"} if fam.father_nik else None,
        kk_number=fam.kk_number,
        marriage_proof={"kind": "buku_nikah", "number": "0123/45/VI/2015"} if proof == "marriage" else None,
        sptjm_marriage=proof == "sptjm")
    body.update(over)
    return BirthNotification.model_validate(body)


async def skip_days(env: WorkflowEnvironment, days: int, *, step: int = 5) -> None:
    """Skip `days` of the time-skipping server's clock a few days per call: each call is one RPC with
    the client's default deadline, and a long skip over a daily poll (a busy CI machine ran 22 days'
    polls in over 30 s) hit that deadline ("Timeout expired") although nothing was wrong."""
    left = days
    while left > 0:
        await env.sleep(timedelta(days=min(step, left)))
        left -= step


async def today(env: WorkflowEnvironment) -> date:
    """Today in WIB by the test server's clock (time skipping moves it for good)."""
    return (await env.get_current_time()).astimezone(WIB).date()


@dataclass
class Bundle:
    env: WorkflowEnvironment
    handle: WorkflowHandle
    fakes: Fakes
    queue: str

    async def state(self) -> BundleState:
        return await self.handle.query("status", result_type=BundleState)

    async def until(self, check: Callable[[BundleState], bool], timeout: float = 20) -> BundleState:
        """Query (real time, the clock stays put) until `check` holds; the last state on failure."""
        deadline = time.monotonic() + timeout
        while True:
            st = await self.state()
            if check(st):
                return st
            if time.monotonic() > deadline:
                raise AssertionError(f"bundle never reached the expected state; last: {brief(st)}")
            await asyncio.sleep(0.05)

    async def update(self, name: str, arg) -> str:
        """Send an update and return its answer's message (the validator's refusal raises)."""
        got = await self.handle.execute_update(name, arg, result_type=UpdateAccepted)
        return got.message

    async def refusal(self, name: str, arg) -> str:
        """Send an update its validator must refuse; the refusal's message."""
        try:
            message = await self.update(name, arg)
        except WorkflowUpdateFailedError as err:
            return str(err.cause.message if isinstance(err.cause, ApplicationError) else err.cause)
        raise AssertionError(f"{name} was accepted: {message}")


@contextlib.asynccontextmanager
async def running(env: WorkflowEnvironment, fakes: Fakes, n: BirthNotification, *,
                  tuning: WorkflowTuning | None = None) -> AsyncIterator[Bundle]:
    """Start the bundle on a fresh task queue, with a worker running the stand-ins until exit."""
    queue = f"paths-{uuid.uuid4()}"
    inp = new_input(bundle_id=str(uuid.uuid4()), hospital_id="RSUD-PATHS",
                    received_at=datetime.now(UTC), notification=n,
                    tuning=tuning or WorkflowTuning(bpjs_poll_seconds=86400, retry_initial_seconds=0.1,
                                                    retry_max_seconds=1))
    worker = Worker(env.client, task_queue=queue, workflows=[KelahiranWorkflow, KematianWorkflow,
                                                            KoreksiWorkflow],
                    activities=fakes.activities())
    async with worker:
        handle = await env.client.start_workflow(WORKFLOW_TYPE, inp, id=inp.bundle_id, task_queue=queue,
                                                 result_type=BundleState, execution_timeout=EXECUTION_TIMEOUT)
        try:
            yield Bundle(env=env, handle=handle, fakes=fakes, queue=queue)
        finally:
            st = await _safe_state(handle)
            for link in st.follow_ups if st else []:
                await _terminate_if_running(env.client.get_workflow_handle(link.workflow_id))
            await _terminate_if_running(handle)


async def _safe_state(handle: WorkflowHandle) -> BundleState | None:
    with contextlib.suppress(Exception):
        return await handle.query("status", result_type=BundleState)
    return None


async def _terminate_if_running(handle: WorkflowHandle) -> None:
    with contextlib.suppress(Exception):
        if (await handle.describe()).status is WorkflowExecutionStatus.RUNNING:
            await handle.terminate("test over")


def svc(st: BundleState, service: str, order: int = 1) -> ServiceState:
    if service in ("kk", "routing"):
        return getattr(st, service)
    return next(c for c in st.children if c.birth_order == order).services[service]


def brief(st: BundleState) -> dict:
    """The bundle's statuses and reasons, for failure messages."""
    out = {"status": st.status.value, "routing": (st.routing.status.value, st.routing.reason),
           "kk": (st.kk.status.value, st.kk.reason)}
    for c in st.children:
        for s, v in c.services.items():
            out[f"{s.value}/{c.birth_order}"] = (v.status.value, v.reason)
    return out
