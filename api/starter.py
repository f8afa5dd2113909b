"""Starting the accepted births' workflows, from the intake's outbox (`pending_start`).

The intake answers 202 once the bundle and its pending start are committed together, without
waiting for Temporal: under load (a 20 births/s burst on two cores) starting a workflow took
hundreds of milliseconds, all of it in the hospital's request, and while Temporal was down every
intake failed with 503. Now a birth is kept the moment it is accepted, and this loop starts it:
at once when the intake kicks it, or on its next pass (every `POLL_S`; this also picks up what an
API that stopped or crashed left behind). A start that fails is retried with backoff, for as long
as it takes, and logged without personal data.

Every API process runs this loop against the one database, and a pass claims the rows it starts
(`store/pending.py`): it leases them (commit), starts their workflows with no transaction open,
then deletes the started rows and records the failures, only where its lease still holds. Two
processes never start the same row at once. Each start call is bounded so that it ends before the
lease does; a process killed mid-pass leaves its rows leased until the lease runs out (the
`intake_start_lease_seconds` setting), and then another process starts them. That process may find
the workflow already started (the dead one's start went through, its delete did not): the start is
idempotent (the workflow id is the bundle id), so that counts as started. Each start call is logged
("workflow start", with its outcome) and counted on /metrics (`kelahiran_workflow_start_attempts`).

A birth accepted by this process does not wait for a claim: its intake inserts the row already
leased to this starter (`intake_lease`) and hands it over in memory (`hand`), so the hot path has no
claim query, and on SQLite one writer fewer queues for the write lock. Nothing is lost if this
process dies first: the row is in the table and its lease runs out like a claimed one's. A handed
row whose lease has (nearly) run out is left to the claims.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import structlog
from fastapi.concurrency import run_in_threadpool
from prometheus_client import Counter
from sqlalchemy.engine import Engine
from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.common import RawValue, WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain.contracts import WORKFLOW_TYPE
from store import pending
from store.cipher import StateCipher
from store.models import PendingStart

log = structlog.get_logger("kelahiran.starter")
JSON_PLAIN = {"encoding": b"json/plain"}
POLL_S = 1.0
BATCH = 64  # rows claimed per pass
PARALLEL = 16  # starts in flight at once: enough to keep up, few enough not to flood Temporal
MAX_BACKOFF_S = 30.0
DEFAULT_LEASE = timedelta(seconds=30)
# The share of the lease the starts may take; the rest is left for settling before it runs out.
START_SHARE = 0.8
STARTED, ALREADY, FAILED = "started", "already_started", "failed"
ATTEMPTS = Counter("kelahiran_workflow_start_attempts",
                   "Workflow start calls made by this API process (already_started: Temporal had it)",
                   ["outcome"])


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(MAX_BACKOFF_S, 0.5 * 2 ** max(0, attempts - 1)))


class WorkflowStarter:
    """Drains `pending_start` into Temporal: the rows this process's intakes `hand` over, at once;
    due rows of any process, claimed every POLL_S and on `kick()`."""

    def __init__(self, engine: Engine, cipher: StateCipher, *, task_queue: str,
                 client: Callable[[], Client | None], lease: timedelta = DEFAULT_LEASE) -> None:
        self._engine, self._cipher, self._queue, self._client = engine, cipher, task_queue, client
        self._lease = lease
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._gate = asyncio.Semaphore(PARALLEL)
        self._own = pending.new_token()  # the lease this process's intakes give the rows they insert
        self._handed: list[tuple[datetime, pending.Claimed]] = []  # (lease end, row), not yet started
        self._claim_asked = True  # a claim pass is due (at start, on kick(), every POLL_S)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="workflow-starter")

    def kick(self) -> None:
        """Look for due rows now (a birth posted again may still be pending, leased to no one)."""
        self._claim_asked = True
        self._wake.set()

    def intake_lease(self) -> pending.Lease:
        """The lease an intake of this process puts on the pending start it inserts (then `hand`s)."""
        return pending.Lease(owner=self._own, until=datetime.now(UTC) + self._lease)

    def hand(self, row: pending.Claimed, lease: pending.Lease) -> None:
        """A row inserted under `intake_lease()` and committed: start it on the next pass."""
        self._handed.append((lease.until, row))
        self._wake.set()

    async def stop(self) -> None:
        """Cancel the loop and give up the leases of handed rows not started (other processes claim
        them at once); rows of a claimed pass cut short stay leased until their lease runs out."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._handed = []
        try:
            released = await run_in_threadpool(pending.release, engine=self._engine, token=self._own)
        except Exception as exc:  # noqa: BLE001 - stopping anyway: their leases run out instead
            log.warning("pending starts not released", error_type=type(exc).__name__)
            return
        if released:
            log.info("pending starts released for other processes", rows=released)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_claim = loop.time()
        while True:
            self._wake.clear()  # what is handed or kicked from now on wakes the next round
            try:
                await self.start_handed()
                if self._claim_asked or loop.time() >= next_claim:
                    self._claim_asked, next_claim = False, loop.time() + POLL_S
                    while await self.drain_once():
                        pass  # a full batch: there may be more
            except Exception as exc:  # noqa: BLE001 - the database may be briefly unavailable: next pass
                log.warning("pending starts not read", error_type=type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(0.0, next_claim - loop.time()))

    async def start_handed(self) -> int:
        """Start the rows this process's intakes handed over, then settle them; how many were due.

        Rows whose lease leaves too little time to start and settle are left to the claims."""
        now = datetime.now(UTC)
        margin = (1 - START_SHARE) * self._lease  # kept for settling, as a claimed pass keeps it
        self._handed = [(until, row) for until, row in self._handed if until - margin > now]
        client = self._client()
        if client is None or not self._handed:
            return 0  # not connected yet: the rows wait here until their leases run out
        rows, self._handed = self._handed, []
        first_end = min(until for until, _ in rows) - margin
        deadline = asyncio.get_running_loop().time() + (first_end - now).total_seconds()
        await self._start_and_settle(client, self._own, [row for _, row in rows], deadline)
        return len(rows)

    async def drain_once(self) -> bool:
        """One pass: claim the due pending births, start them, settle; True if the batch was full."""
        client = self._client()
        if client is None:
            return False  # not connected yet: /ready says so, the births wait
        # Taken before the claim (whose lease starts later): the starts end well inside the lease.
        deadline = asyncio.get_running_loop().time() + START_SHARE * self._lease.total_seconds()
        token, due = await run_in_threadpool(pending.claim, engine=self._engine, now=datetime.now(UTC),
                                             limit=BATCH, lease=self._lease)
        if not due:
            return False
        await self._start_and_settle(client, token, due, deadline)
        return len(due) == BATCH

    async def _start_and_settle(self, client: Client, token: str, due: list[pending.Claimed],
                                deadline: float) -> None:
        results = await asyncio.gather(*(self._start(client, row, deadline) for row in due))
        now = datetime.now(UTC)
        started = [bid for bid, error in results if error is None]
        failed = [pending.Failed(bundle_id=row.bundle_id, error=error,
                                 retry_at=now + backoff(row.attempts + 1))
                  for row, (_, error) in zip(due, results, strict=True) if error is not None]
        settled = await run_in_threadpool(pending.settle, engine=self._engine, token=token, started=started,
                                          failed=failed)
        if settled.lost:
            # Our lease ran out before we settled (a stalled process or database) and another process
            # claimed those rows: it starts them again, and finds them started.
            log.warning("pending starts settled after their lease ran out", rows=settled.lost,
                        lease_s=self._lease.total_seconds())

    async def _start(self, client: Client, row: pending.Claimed, deadline: float) -> tuple[str, str | None]:
        """(bundle id, None) once Temporal has the workflow; else (bundle id, the error's type).

        Ends by `deadline` (a call still waiting is cancelled, and retried later), so the pass
        settles while its lease holds."""
        called, outcome, error = False, STARTED, None
        try:
            async with asyncio.timeout_at(deadline), self._gate:
                stored = self._cipher.decrypt(PendingStart.__tablename__, row.bundle_id, row.input_json)
                called = True
                # The input as the intake validated and serialised it, passed on as it is.
                await client.start_workflow(
                    WORKFLOW_TYPE, RawValue(Payload(metadata=JSON_PLAIN, data=stored.encode())),
                    id=row.bundle_id, task_queue=self._queue,
                    # An existing run (running or closed) is refused rather than returned, so a
                    # repeated start is visible (already_started) and is the same bundle.
                    id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    memo={"hospital_id": json.loads(stored)["hospital_id"]},
                )
        except WorkflowAlreadyStartedError:
            outcome = ALREADY  # started before (by a pass whose delete was lost): nothing to start
        except Exception as exc:  # noqa: BLE001 - kept and retried; the type says why
            outcome, error = FAILED, type(exc).__name__
        retry_in_s = backoff(row.attempts + 1).total_seconds()
        if not called:  # the input did not decrypt, or the pass's time ran out before its turn
            log.warning("workflow start not attempted", bundle_id=row.bundle_id, error_type=error,
                        retry_in_s=retry_in_s)
            return row.bundle_id, error
        ATTEMPTS.labels(outcome=outcome).inc()
        if error is None:
            log.info("workflow start", bundle_id=row.bundle_id, outcome=outcome, attempt=row.attempts + 1)
        else:
            log.warning("workflow start", bundle_id=row.bundle_id, outcome=outcome, error_type=error,
                        attempt=row.attempts + 1, retry_in_s=retry_in_s)
        return row.bundle_id, error
