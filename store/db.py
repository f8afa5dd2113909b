"""Engine construction for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from store.checkpoint import WalCheckpointer
from store.writelock import WriteLockedConnection


def make_engine(url: str, *, background_checkpoints: bool = False) -> Engine:
    """One engine per process; SQLite gets WAL and a busy timeout so readers never block writers.

    `background_checkpoints` (the API and the worker, which write hot): a SQLite file's WAL is
    checkpointed by a thread of this engine until it is disposed, never inside a commit
    (store/checkpoint.py).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        pool = {}
        connect_args: dict = {"check_same_thread": False, "timeout": 30}
        checkpointer, stopped = None, threading.Event()
        if parsed.database and parsed.database != ":memory:":
            # Every write transaction takes the read model's write lock (store/writelock.py).
            connect_args["factory"] = WriteLockedConnection
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # The API serves up to 40 requests at once from its thread pool: with the default 5 (+10)
            # connections, every burst opened and closed connections (and re-ran the pragmas below).
            pool = {"pool_size": 20, "max_overflow": 20}
            if background_checkpoints and parsed.query.get("mode") != "memory":
                checkpointer = WalCheckpointer(parsed.database)
        engine = sa.create_engine(url, connect_args=connect_args, **pool)

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            if checkpointer is not None and not stopped.is_set():
                cur.execute("PRAGMA wal_autocheckpoint=0")
            cur.close()

        if checkpointer is not None:
            @sa.event.listens_for(engine, "engine_disposed")
            def _stop(_engine) -> None:
                # Connections made after this (if the engine is used again) checkpoint as usual.
                stopped.set()
                checkpointer.stop()

            checkpointer.start()
        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
