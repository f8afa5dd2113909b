"""WAL checkpoints in the background for the hot writers' SQLite engine (real SQLite files)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import sqlalchemy as sa

from store.db import make_engine

PAGE_FILLER = "x" * 3000


def autocheckpoint(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one()


def checkpoint_threads() -> set[threading.Thread]:
    """Running checkpoint threads (other tests' apps may have theirs: compare before and after)."""
    return {t for t in threading.enumerate() if t.name == "readmodel-checkpoint"}


def fill(engine: sa.Engine, rows: int) -> None:
    """One transaction of `rows` rows of ~3 KB: well over the 1000 pages of an automatic checkpoint."""
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT)")
        conn.exec_driver_sql("INSERT INTO t (body) VALUES " + ",".join(["(?)"] * rows),
                             tuple([PAGE_FILLER] * rows))


def test_the_hot_writers_commits_leave_the_checkpoint_to_the_thread(tmp_path: Path):
    db = tmp_path / "rm.db"
    before = checkpoint_threads()
    engine = make_engine(f"sqlite:///{db}", background_checkpoints=True)
    ours = checkpoint_threads() - before
    try:
        assert autocheckpoint(engine) == 0
        assert len(ours) == 1
        fill(engine, 1500)
        # The commit did not copy the pages into the database file: the WAL holds them.
        assert db.stat().st_size < 100_000 < Path(f"{db}-wal").stat().st_size
        deadline = time.monotonic() + 10
        while db.stat().st_size < 1500 * 3000 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert db.stat().st_size >= 1500 * 3000  # the thread's checkpoint did
    finally:
        engine.dispose()
    assert not any(t.is_alive() for t in ours)
    # Used again after dispose: its new connections checkpoint as SQLite does by default.
    assert autocheckpoint(engine) == 1000
    engine.dispose()


def test_other_engines_keep_sqlites_automatic_checkpoint(tmp_path: Path):
    before = checkpoint_threads()
    engine = make_engine(f"sqlite:///{tmp_path / 'rm.db'}")
    try:
        assert autocheckpoint(engine) == 1000
        assert checkpoint_threads() <= before
        fill(engine, 1500)
        assert (tmp_path / "rm.db").stat().st_size >= 1500 * 3000  # checkpointed in the commit
    finally:
        engine.dispose()

