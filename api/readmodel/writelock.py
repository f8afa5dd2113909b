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


class _FileWriteLock:
    """The thread lock, then flock on the sidecar file (opened once, kept open); reusable. No
    garbage collection in this process while it is held or waited for (`_NoCollection`)."""

    def __init__(self, db_path: str) -> None:
        self._threads = threading.Lock()
        self._fd = os.open(f"{db_path}.writelock", os.O_RDWR | os.O_CREAT, 0o600)

    def __enter__(self) -> _FileWriteLock:
        _no_collection.__enter__()
        try:
            self._threads.acquire()
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            except BaseException:
                self._threads.release()
                raise
        except BaseException:
            _no_collection.__exit__()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        try:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()
            _no_collection.__exit__()


_locks: dict[str, _FileWriteLock] = {}
_by_url: dict[str, _FileWriteLock] = {}  # an engine's URL -> its lock (resolved once)
_locks_guard = threading.Lock()


def _forget_after_fork() -> None:
    # A forked child shares the parent's open file descriptions (so their flock too) and may have
    # copied a held thread lock: it opens its own.
    global _locks_guard
    for lock in _locks.values():
        os.close(lock._fd)
    _locks.clear()
    _by_url.clear()
    _locks_guard = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)


def write_lock(engine: Engine) -> AbstractContextManager:
    """The read model's write lock for `engine`: hold it around a write transaction (not reentrant)."""
    known = _by_url.get(str(engine.url))  # the hot path: no path resolution per write
    if known is not None:
        return known
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
        return lock
