"""One write lock across processes for a SQLite read model, so a waiting writer wakes at once.

WHY: the API's intake and the worker's snapshot writer both write the read model hot. When they
collide in SQLite, the loser waits in SQLite's busy handler, which *sleeps* 1, 2, 5, 10, ... 100 ms
between retries: an intake INSERT waited up to ~200 ms although the other transaction took a few ms.
Writers that take this lock instead block in the kernel (flock) and wake the moment it is released.

SQLite's own locks stay authoritative: this only orders our writers. Every engine from `make_engine`
connects through `WriteLockedConnection`, which takes the lock before a transaction's first write and
releases it after the commit or rollback, so no writer has to remember it (migrations, retention and
the CLI included). An explicit `with write_lock(engine)` around a transaction still works (the lock
is reentrant in a thread): the intake uses it to time its wait. Never take it inside a transaction
that has already written on another connection (that one holds SQLite's lock and could wait on a
holder of this one).

fcntl locks belong to an open file description, not to a thread: the threads of one process are
ordered by a threading.Lock first, then the process takes flock on `<database>.writelock`.
PostgreSQL (row locks, no busy sleeping) and in-memory SQLite get a no-op.
"""

from __future__ import annotations

import fcntl
import gc
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from sqlalchemy.engine import Engine


class _NoCollection:
    """No garbage collection in this process while any of its threads is in a `with` of this.

    WHY: a full collection holds the GIL for as long as it walks every object. In the worker, with
    hundreds of bundles in flight, that was 100-700 ms; one that started while the read-model
    writer held the write lock kept the lock (and every intake waiting on it) for that long (bench:
    the 20/s burst). The collector is switched off before the lock is taken (a collection cannot
    be running then: this thread holds the GIL) and back on after it is released; the collection
    runs then, with no lock held. Counted, because several threads may be inside at once.

    Off while a thread only *waits*, too: flock is granted in the kernel, and a collection running
    in this process at that moment would keep the just-granted lock (and every other process's
    writer) waiting until it ends. (Switching it off only once held made no difference that the
    20/s burst could show: its lock-wait p99 spreads from 22 to 77 ms between runs of one code.)
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
    """The thread lock, then flock on the sidecar file (opened once, kept open); reusable and
    reentrant per thread (so a write on a connection inside `with write_lock(...)` does not wait
    for itself). No garbage collection in this process while it is held or waited for."""

    def __init__(self, db_path: str) -> None:
        self._threads = threading.Lock()
        self._fd = os.open(f"{db_path}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
        self._owner: int | None = None  # only ever set to its own id by the thread that holds it
        self._depth = 0

    def held_here(self) -> bool:
        return self._owner == threading.get_ident()

    def acquire(self, blocking: bool = True) -> bool:
        """Take the lock, waiting for it; with `blocking=False` only if no one holds it (else
        False, at once)."""
        if self.held_here():
            self._depth += 1
            return True
        _no_collection.__enter__()  # also while waiting: no collection may start meanwhile
        try:
            if not self._threads.acquire(blocking=blocking):
                _no_collection.__exit__()
                return False
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BaseException as exc:
                self._threads.release()
                if blocking or not isinstance(exc, OSError):
                    raise
                _no_collection.__exit__()  # another process holds it
                return False
        except BaseException:
            _no_collection.__exit__()
            raise
        self._owner, self._depth = threading.get_ident(), 1
        return True

    def release(self) -> None:
        self._depth -= 1
        if self._depth:
            return
        self._owner = None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()
            _no_collection.__exit__()

    def __enter__(self) -> _FileWriteLock:
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()


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


def _lock_for(path: str) -> _FileWriteLock:
    path = os.path.realpath(path)  # every process naming this file agrees on one sidecar
    with _locks_guard:
        lock = _locks.get(path)
        if lock is None:
            lock = _locks[path] = _FileWriteLock(path)
        return lock


def write_lock(engine: Engine) -> AbstractContextManager:
    """The read model's write lock for `engine`: hold it around a write transaction. Reentrant in
    one thread; writes through `WriteLockedConnection` take it by themselves."""
    known = _by_url.get(str(engine.url))  # the hot path: no path resolution per write
    if known is not None:
        return known
    database = engine.url.database
    in_memory = not database or database == ":memory:" or engine.url.query.get("mode") == "memory"
    if engine.dialect.name != "sqlite" or in_memory:
        return nullcontext()
    lock = _by_url[str(engine.url)] = _lock_for(database)
    return lock


@contextmanager
def try_write_lock(engine: Engine) -> Iterator[bool]:
    """Hold the read model's write lock for the block if it is free this instant: yields True, or
    False at once (another writer holds it, or the database has no such lock: PostgreSQL and
    in-memory SQLite). For a short write that may run where waiting would cost more."""
    lock = write_lock(engine)
    if not isinstance(lock, _FileWriteLock) or not lock.acquire(blocking=False):
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriteLockedConnection(sqlite3.Connection):
    """A SQLite connection that takes the write lock before its first INSERT, UPDATE, DELETE or
    REPLACE, and releases it after the commit or rollback (or on close), so no writer can forget
    it (`make_engine` uses this for file databases).

    WHY here: the module-level rule "every hot writer wraps its transaction in write_lock" was kept
    by hand, and each writer that forgot it put intakes into SQLite's busy-handler sleeps again.
    sqlite3 begins a transaction only before such a statement (its reads run outside one), so the
    lock is taken exactly when SQLite's own write transaction begins, and released when it ends.
    An explicit `with write_lock(engine)` around a transaction (to time the wait, or to read and
    then write with no other writer in between) still works: the lock is reentrant in a thread.
    """

    def __init__(self, database: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        in_memory = kwargs.get("uri") or str(database) in ("", ":memory:")
        self._write_lock = None if in_memory else _lock_for(str(database))
        self._holding = False

    def cursor(self, factory: Any = None) -> sqlite3.Cursor:  # Connection.execute comes here too
        return super().cursor(factory or _WriteLockedCursor)

    def _before_write(self, sql: str) -> None:
        if self._holding or self._write_lock is None:
            return
        if sql.lstrip()[:7].upper().startswith(_WRITES):
            self._write_lock.acquire()
            self._holding = True

    def _release(self) -> None:
        if self._holding:
            self._holding = False
            self._write_lock.release()  # type: ignore[union-attr]

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()


class _WriteLockedCursor(sqlite3.Cursor):
    connection: WriteLockedConnection

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        self.connection._before_write(sql)
        return super().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> sqlite3.Cursor:
        self.connection._before_write(sql)
        return super().executemany(sql, seq_of_parameters)
