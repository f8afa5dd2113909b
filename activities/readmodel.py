"""The read-model writer: the workflow hands over snapshots, this stores them (newest wins)."""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

import structlog
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio import activity

from domain import activity_names as act
from domain.contracts import BundleState, FollowUpSync, ReadModelSync
from store import crud
from store.cipher import StateCipher
from store.writelock import write_lock

log = structlog.get_logger("kelahiran.readmodel")


class SnapshotWriter:
    """One thread writes every bundle snapshot of this worker; those that queued up meanwhile go in
    one transaction (group commit).

    SQLite takes one writer at a time; one commit per snapshot also made every sync pay a commit.
    Under load the queue grows and the batches with it, so the writer keeps up instead of falling
    behind. Each transaction holds the read model's write lock (store/writelock.py), taken
    only after the snapshots' JSON and encryption are ready; at most `max_batch` (4) snapshots per
    transaction, so the API's intake, waiting on that lock, waits for one short transaction at most.
    """

    def __init__(self, engine: Engine, cipher: StateCipher, *, max_batch: int = 4) -> None:
        self._engine, self._cipher, self._max = engine, cipher, max_batch
        self._queue: deque[tuple[BundleState, Future[bool]]] = deque()
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None

    async def write(self, state: BundleState) -> bool:
        return await asyncio.wrap_future(self.submit(state))

    # BundleWriter's lifecycle: the thread starts with the first snapshot, is a daemon, and idles
    # on an empty queue, so there is nothing to start, stop or watch.
    healthy = True

    async def start(self) -> None:
        pass

    async def aclose(self) -> None:
        pass

    def submit(self, state: BundleState) -> Future[bool]:
        done: Future[bool] = Future()
        with self._ready:
            self._queue.append((state, done))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="readmodel-writer", daemon=True)
                self._thread.start()
            self._ready.notify()
        return done

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._queue:
                    self._ready.wait()
                batch = [self._queue.popleft() for _ in range(min(self._max, len(self._queue)))]
            self._write(batch)

    def _write(self, batch: list[tuple[BundleState, Future[bool]]]) -> None:
        if len(batch) > 1:
            try:
                with Session(self._engine) as session:
                    results = crud.apply_snapshots(session=session, states=[s for s, _ in batch],
                                                   cipher=self._cipher, lock=write_lock(self._engine))
            except Exception:  # noqa: BLE001 - one bad snapshot must not fail the others
                log.warning("read-model batch failed; writing its snapshots one by one", size=len(batch))
            else:
                for (_, done), ok in zip(batch, results, strict=True):
                    done.set_result(ok)
                return
        for state, done in batch:
            try:
                with Session(self._engine) as session:
                    done.set_result(crud.apply_snapshot(session=session, state=state, cipher=self._cipher,
                                                        lock=write_lock(self._engine)))
            except Exception as exc:  # noqa: BLE001 - the activity raises it and is retried
                done.set_exception(exc)


class BundleWriter(Protocol):
    """Where the worker's bundle snapshots go: SnapshotWriter (a thread) or ProcessSnapshotWriter."""

    @property
    def healthy(self) -> bool: ...

    async def start(self) -> None: ...

    async def write(self, state: BundleState) -> bool: ...

    async def aclose(self) -> None: ...


class ReadModelActivities:
    def __init__(self, engine: Engine, cipher: StateCipher, *, writer: BundleWriter | None = None) -> None:
        self._engine = engine
        self._cipher = cipher  # states are encrypted at rest
        # The worker passes a ProcessSnapshotWriter (activities/readmodel_process.py).
        self._writer = writer or SnapshotWriter(engine, cipher)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="readmodel-follow-up")

    @activity.defn(name=act.SYNC_READ_MODEL)
    async def sync_read_model(self, inp: ReadModelSync) -> bool:
        """Store a bundle snapshot unless a newer version is already there."""
        # The DB driver is blocking: the writer's thread (or process), never the worker's event loop.
        return await self._writer.write(inp.state)

    def _write_follow_up(self, inp: FollowUpSync) -> bool:
        with write_lock(self._engine), Session(self._engine) as session:
            return crud.apply_follow_up(session=session, state=inp.state, cipher=self._cipher)

    @activity.defn(name=act.SYNC_FOLLOW_UP)
    async def sync_follow_up(self, inp: FollowUpSync) -> bool:
        """Store a follow-up snapshot unless a newer version is already there."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._write_follow_up, inp)

    def all(self) -> list:
        return [self.sync_read_model, self.sync_follow_up]
