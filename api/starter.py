"""Starting the accepted births' workflows, from the intake's outbox (`pending_start`).

The intake answers 202 once the bundle and its pending start are committed together, without
waiting for Temporal: under load (a 20 births/s burst on two cores) starting a workflow took
hundreds of milliseconds, all of it in the hospital's request, and while Temporal was down every
intake failed with 503. Now a birth is kept the moment it is accepted, and this loop starts it:
at once when the intake kicks it, or on its next pass (every `POLL_S`; this also picks up what an
API that stopped or crashed left behind). A start that fails is retried with backoff, for as long
as it takes, and logged without personal data.

Several API processes may run it against one database: starting is idempotent (the workflow id
is the bundle id, an existing or finished run is the same bundle), so a start made twice is
harmless, and so is deleting a row another process already deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import structlog
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain.contracts import WORKFLOW_TYPE, KelahiranInput
from store.cipher import StateCipher
from store.models import PendingStart

log = structlog.get_logger("kelahiran.starter")
POLL_S = 1.0
BATCH = 64  # rows read per pass
PARALLEL = 16  # starts in flight at once: enough to keep up, few enough not to flood Temporal
MAX_BACKOFF_S = 30.0


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(MAX_BACKOFF_S, 0.5 * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class Backlog:
    count: int
    oldest_s: float | None


def backlog(engine: Engine, now: datetime | None = None) -> Backlog:
    """How many accepted births wait for their start, and for how long the oldest has waited."""
    now = now or datetime.now(UTC)
    with Session(engine) as session:
        count, oldest = session.exec(select(func.count(), func.min(PendingStart.created_at))).one()
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return Backlog(count=count, oldest_s=(now - oldest).total_seconds() if oldest else None)


class WorkflowStarter:
    """Drains `pending_start` into Temporal; `kick()` after an intake commit starts it right away."""

    def __init__(self, engine: Engine, cipher: StateCipher, *, task_queue: str,
                 client: Callable[[], Client | None]) -> None:
        self._engine, self._cipher, self._queue, self._client = engine, cipher, task_queue, client
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._gate = asyncio.Semaphore(PARALLEL)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="workflow-starter")

    def kick(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                while await self.drain_once():
                    pass  # a full batch: there may be more
            except Exception as exc:  # noqa: BLE001 - the database may be briefly unavailable: next pass
                log.warning("pending starts not read", error_type=type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_S)
            self._wake.clear()

    async def drain_once(self) -> bool:
        """One pass: start the due pending births; True if the batch was full."""
        client = self._client()
        if client is None:
            return False  # not connected yet: /ready says so, the births wait
        self._wake.clear()  # births accepted from now on wake the next pass
        due = await run_in_threadpool(self._due, datetime.now(UTC))
        if not due:
            return False
        results = await asyncio.gather(*(self._start(client, row) for row in due))
        started = [bid for bid, error in results if error is None]
        failed = {bid: error for bid, error in results if error is not None}
        await run_in_threadpool(self._settle, started, failed, {r.bundle_id: r.attempts for r in due})
        return len(due) == BATCH

    def _due(self, now: datetime) -> list[sa.Row]:
        """Rows with bundle_id, input_json and attempts (a Core query: ORM objects cost more than it)."""
        t = PendingStart.__table__
        with Session(self._engine) as session:
            return list(session.exec(sa.select(t.c.bundle_id, t.c.input_json, t.c.attempts)
                                     .where(t.c.next_try_at <= now)
                                     .order_by(t.c.created_at).limit(BATCH)).all())

    async def _start(self, client: Client, row: sa.Row) -> tuple[str, str | None]:
        """(bundle id, None) once Temporal has the workflow; else (bundle id, the error's type)."""
        async with self._gate:
            try:
                inp = KelahiranInput.model_validate_json(
                    self._cipher.decrypt(PendingStart.__tablename__, row.bundle_id, row.input_json))
                await client.start_workflow(
                    WORKFLOW_TYPE, inp, id=row.bundle_id, task_queue=self._queue,
                    id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    memo={"hospital_id": inp.hospital_id},
                )
            except WorkflowAlreadyStartedError:
                pass  # finished already: the same bundle, nothing to start
            except Exception as exc:  # noqa: BLE001 - kept and retried; the type says why
                return row.bundle_id, type(exc).__name__
            return row.bundle_id, None

    def _settle(self, started: list[str], failed: dict[str, str], attempts: dict[str, int]) -> None:
        table = PendingStart.__table__
        now = datetime.now(UTC)
        with Session(self._engine) as session:
            if started:
                session.exec(table.delete().where(table.c.bundle_id.in_(started)))
            for bundle_id, error in failed.items():
                tries = attempts[bundle_id] + 1
                session.exec(table.update().where(table.c.bundle_id == bundle_id).values(
                    attempts=tries, next_try_at=now + backoff(tries), last_error=error[:80]))
            session.commit()
        for bundle_id, error in failed.items():
            log.warning("workflow start failed; will retry", bundle_id=bundle_id, error_type=error,
                        attempts=attempts[bundle_id] + 1)

