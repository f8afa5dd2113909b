"""Engines for the simulators' own databases: SQLite by default (WAL, busy timeout), PostgreSQL by URL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine


def make_engine(database_url: str) -> Engine:
    """An engine for SQLite (parent folder created) or PostgreSQL."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    # Route handlers run in FastAPI's thread pool, so connections cross threads. The pool is as large
    # as that thread pool (40): with SQLAlchemy's default 5 + 10, a burst left threads that held the
    # issue lock waiting 30 s for a connection that threads waiting for the lock held (seen as
    # "QueuePool limit ... reached" and every call answered 500 for minutes).
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                           pool_size=20, max_overflow=20)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:
        # WAL lets lookups read while an issuing write is in progress; busy_timeout waits for a
        # writer in another process instead of failing at once with "database is locked".
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return engine
