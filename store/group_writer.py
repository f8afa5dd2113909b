"""One writer thread per process for SQLite's one write lock: jobs queued meanwhile share a commit.

Why: SQLite lets one transaction write at a time, and a writer that finds the lock taken sleeps in
SQLite's busy handler (1, 2, 5 ... 100 ms between tries) whether the holder is another process or a
thread of its own. With the intake in the API's thread pool, a burst of births had threads of one
process sleeping on each other, and the one that lost a few rounds in a row made the intake's tail
(p99 hundreds of milliseconds, almost all of it waiting). Queued here, this process's jobs wait
their turn in order, without sleeping, and those that queued up meanwhile go in one transaction
(group commit), each in its own savepoint: one failing job is rolled back alone and gets its error,
the others commit. A job's result is handed back only after the commit, so nothing is answered
before it is kept.

PostgreSQL locks rows, not the database: there each job runs at once in its own transaction, in a
worker thread, as it would without this class.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

import structlog
from sqlalchemy.engine import Engine
from sqlmodel import Session

log = structlog.get_logger("kelahiran.store")
T = TypeVar("T")
Q = TypeVar("Q")  # a queued item
R = TypeVar("R")
Job = Callable[[Session], T]


class QueuedBatches(Generic[Q, R]):
    """One daemon thread takes what queued up meanwhile, up to `max_batch` at once, and `_write`s it;
    each item's Future gets its answer. The read-model writer of the worker and the intake writer of
    the API share this."""

    def __init__(self, *, max_batch: int, name: str) -> None:
        self._max, self._name = max_batch, name
        self._queue: deque[tuple[Q, Future[R]]] = deque()
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, item: Q) -> Future[R]:
        done: Future[R] = Future()
        with self._ready:
            self._queue.append((item, done))
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread.start()
            self._ready.notify()
        return done

    def _loop(self) -> None:
        while True:
            with self._ready:
                while not self._queue:
                    self._ready.wait()
                popped = [self._queue.popleft() for _ in range(min(self._max, len(self._queue)))]
            # An item whose caller gave up meanwhile (timed out, cancelled) is dropped: a retry is
            # queued anew. The others can no longer be cancelled, so answering them cannot fail and
            # this thread, which every caller waits on, never dies.
            batch = [(item, done) for item, done in popped if done.set_running_or_notify_cancel()]
            if batch:
                self._write(batch)

    def _write(self, batch: list[tuple[Q, Future[R]]]) -> None:
        raise NotImplementedError


class GroupWriter(QueuedBatches[Job, Any]):
    """`await writer.run(job)`: `job(session)` writes (never commits); its result once committed."""

    def __init__(self, engine: Engine, *, max_batch: int = 8, name: str = "group-writer") -> None:
        # max_batch bounds how long one transaction holds the lock the other processes wait for.
        super().__init__(max_batch=max_batch, name=name)
        self._engine = engine
        self._serial = engine.dialect.name == "sqlite"

    @property
    def serial(self) -> bool:
        """True where jobs queue for the one writer (SQLite); False where each runs at once."""
        return self._serial

    async def run(self, job: Job[T]) -> T:
        if not self._serial:
            return await asyncio.to_thread(self._alone, job)
        return await asyncio.wrap_future(self.submit(job))

    def _alone(self, job: Job[T]) -> T:
        with Session(self._engine) as session:
            result = job(session)
            session.commit()
            return result

    def _write(self, batch: list[tuple[Job, Future]]) -> None:
        outcomes: list[tuple[bool, object]] = []
        try:
            with Session(self._engine) as session:
                for job, _ in batch:
                    try:
                        # The savepoint's BEGIN IMMEDIATE (store/db.py) takes the write lock up front.
                        with session.begin_nested():
                            outcomes.append((True, job(session)))
                    except Exception as exc:  # noqa: BLE001 - this job's own error, rolled back alone
                        outcomes.append((False, exc))
                session.commit()
        except Exception:  # noqa: BLE001 - the commit failed: each job again, alone, for its own answer
            log.warning("group write failed; writing its jobs one by one", size=len(batch))
            for job, done in batch:
                try:
                    done.set_result(self._alone(job))
                except Exception as exc:  # noqa: BLE001 - the caller raises it
                    done.set_exception(exc)
            return
        for (_, done), (ok, value) in zip(batch, outcomes, strict=True):
            if ok:
                done.set_result(value)
            else:
                done.set_exception(value)  # type: ignore[arg-type]
