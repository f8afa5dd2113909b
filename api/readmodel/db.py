"""Engine construction for SQLite (default) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url


def make_engine(url: str) -> Engine:
    """One engine per process; SQLite gets WAL and a busy timeout so readers never block writers."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        pool = {}
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            # The API serves up to 40 requests at once from its thread pool: with the default 5 (+10)
            # connections, every burst opened and closed connections (and re-ran the pragmas below).
            pool = {"pool_size": 20, "max_overflow": 20}
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
