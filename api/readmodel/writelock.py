"""One write lock across processes for a SQLite read model, so a waiting writer wakes at once.

WHY: the API's intake and the worker's snapshot writer both write the read model hot. When they
collide in SQLite, the loser waits in SQLite's busy handler, which *sleeps* 1, 2, 5, 10, ... 100 ms
between retries: an intake INSERT waited up to ~200 ms although the other transaction took a few ms.
Writers that take this lock instead block in the kernel (flock) and wake the moment it is released.

SQLite's own locks stay authoritative: this only orders our hot writers. A writer that does not take
it (migrations, retention, the CLI, ...) still works, through the busy timeout as before. Take it
before the transaction begins and release it after the commit/rollback; never inside a transaction
that has already written (that one holds SQLite's lock and could wait on a holder of this one).

fcntl locks belong to an open file description, not to a thread: the threads of one process are
ordered by a threading.Lock first, then the process takes flock on `<database>.writelock`.
PostgreSQL (row locks, no busy sleeping) and in-memory SQLite get a no-op.
"""

from __future__ import annotations

import fcntl
import gc
import os
import threading
import time
from contextlib import AbstractContextManager, nullcontext

from sqlalchemy.engine import Engine


class _NoCollection:
    """No garbage collection in this process while any of its threads is in a `with` of this.

    WHY: a full collection holds the GIL for as long as it walks every object. In the worker, with
    hundreds of bundles in flight, that was 100-700 ms; one that started while the read-model
    writer held the write lock kept the lock (and every intake waiting on it) for that long (bench:
    the 20/s burst). The collector is switched off before the lock is taken (a collection cannot
    be running then: this thread holds the GIL) and back on after it is released; the collection
    runs then, with no lock held. Counted, because several threads may be inside at once.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._inside = 0
        self._was_enabled = False

    def __enter__(self) -> None:
        with self._guard:
            if self._inside == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._inside += 1

    def __exit__(self, *_exc: object) -> None:
        with self._guard:
            self._inside -= 1
            if self._inside == 0 and self._was_enabled:
                gc.enable()


_no_collection = _NoCollection()


# How long a background writer lets first-class writers (a hospital's intake) go before it, at most:
# a steady stream of intakes must not starve the bundles' own bookkeeping.
YIELD_AT_MOST_S = 0.2


class _FileWriteLock:
    """The thread lock, then flock on the sidecar file (opened once, kept open); reusable. No
    garbage collection in this process while it is held or waited for (`_NoCollection`).

    Priority: a first-class writer (`.first`, the intake: a hospital waits for its answer) holds a
    shared flock on `<database>.writelock-waiting` while it waits. A background writer that gets
    the lock while one waits, in any process, hands it back and waits until none does (for
    YIELD_AT_MOST_S at most), so an intake waits for the transaction under way, not for the queue
    of background writes behind it.
    """

    def __init__(self, db_path: str) -> None:
        self._threads = threading.Lock()
        self._fd = os.open(f"{db_path}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
        waiting = f"{db_path}.writelock-waiting"
        # Two open file descriptions: flock conflicts between them even within this process.
        self._waiting_fd = os.open(waiting, os.O_RDWR | os.O_CREAT, 0o600)
        self._probe_fd = os.open(waiting, os.O_RDWR | os.O_CREAT, 0o600)
        self._waiters = 0  # this process's first-class writers waiting (one shared flock for all)
        self._waiters_guard = threading.Lock()
        self.first = _FirstClass(self)

    def __enter__(self) -> _FileWriteLock:
        _no_collection.__enter__()
        try:
            self._acquire()
            deadline = time.monotonic() + YIELD_AT_MOST_S
            while self._first_class_waiting() and time.monotonic() < deadline:
                self._release()
                while self._first_class_waiting() and time.monotonic() < deadline:
                    time.sleep(0.0005)
                self._acquire()
        except BaseException:
            _no_collection.__exit__()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        try:
            self._release()
        finally:
            _no_collection.__exit__()

    def _acquire(self) -> None:
        self._threads.acquire()
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def _release(self) -> None:
        try:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _first_class_waiting(self) -> bool:
        try:
            fcntl.flock(self._probe_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(self._probe_fd, fcntl.LOCK_UN)
        return False

    def _waiting(self, delta: int) -> None:
        with self._waiters_guard:
            self._waiters += delta
            if delta > 0 and self._waiters == 1:
                fcntl.flock(self._waiting_fd, fcntl.LOCK_SH)
            elif delta < 0 and self._waiters == 0:
                fcntl.flock(self._waiting_fd, fcntl.LOCK_UN)


class _FirstClass:
    """The same lock, taken ahead of background writers (see _FileWriteLock)."""

    def __init__(self, lock: _FileWriteLock) -> None:
        self._lock = lock

    def __enter__(self) -> _FirstClass:
        lock = self._lock
        _no_collection.__enter__()
        try:
            lock._waiting(+1)
            try:
                lock._acquire()
            finally:
                lock._waiting(-1)
        except BaseException:
            _no_collection.__exit__()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self._lock.__exit__()


_locks: dict[str, _FileWriteLock] = {}
_by_url: dict[str, _FileWriteLock] = {}  # an engine's URL -> its lock (resolved once)
_locks_guard = threading.Lock()


def _forget_after_fork() -> None:
    # A forked child shares the parent's open file descriptions (so their flock too) and may have
    # copied a held thread lock: it opens its own.
    global _locks_guard
    for lock in _locks.values():
        for fd in (lock._fd, lock._waiting_fd, lock._probe_fd):
            os.close(fd)
    _locks.clear()
    _by_url.clear()
    _locks_guard = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)


def write_lock(engine: Engine, *, first: bool = False) -> AbstractContextManager:
    """The read model's write lock for `engine`: hold it around a write transaction (not reentrant).
    `first`: ahead of background writers (the intake, whose hospital waits for the answer)."""
    known = _by_url.get(str(engine.url))  # the hot path: no path resolution per write
    if known is not None:
        return known.first if first else known
    database = engine.url.database
    in_memory = not database or database == ":memory:" or engine.url.query.get("mode") == "memory"
    if engine.dialect.name != "sqlite" or in_memory:
        return nullcontext()
    path = os.path.realpath(database)  # every process naming this file agrees on one sidecar
    with _locks_guard:
        lock = _locks.get(path)
        if lock is None:
            lock = _locks[path] = _FileWriteLock(path)
        _by_url[str(engine.url)] = lock
        return lock.first if first else lock
