"""WAL checkpoints for a SQLite read model in a thread of their own, off the writers' commits.

WHY: by default SQLite checkpoints inside whichever commit makes the WAL pass 1000 pages (~4 MB):
that commit copies the pages back into the database file and fsyncs it. Under `kelahiran bench`'s
20 births/s burst that commit was sometimes the intake's INSERT, and sometimes the worker's
snapshot batch holding the write lock (store/writelock.py) with intakes queued behind it:
15 births at once waited 200-490 ms (the `db_ms` of the API's "birth accepted" log).

The API and the worker, the two processes that write hot, turn the automatic checkpoint off on
their connections and run a PASSIVE checkpoint every second here instead: the same work SQLite did
(PASSIVE is also what the automatic one runs: it never waits for a reader or a writer), but no
hospital's request pays for it. Every other process (migrations, the CLI) keeps SQLite's default,
and SQLite still checkpoints when the last connection to the file closes.
"""

from __future__ import annotations

import sqlite3
import threading

import structlog

log = structlog.get_logger("kelahiran.readmodel")
INTERVAL_S = 1.0


class WalCheckpointer:
    """A daemon thread checkpointing `path`'s WAL every `interval` seconds until `stop()`."""

    def __init__(self, path: str, *, interval: float = INTERVAL_S) -> None:
        self._path, self._interval = path, interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="readmodel-checkpoint", daemon=True)

    def start(self) -> WalCheckpointer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        conn = sqlite3.connect(self._path, timeout=1, check_same_thread=False)
        try:
            while not self._stopped.wait(self._interval):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:  # e.g. the file was removed under us: try again later
                    log.warning("read-model checkpoint failed", error=type(exc).__name__)
        finally:
            conn.close()
