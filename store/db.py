"""Engine construction for SQLite (the embedded default) and PostgreSQL (replicas, several machines)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

# How long a SQLite writer waits for another process's transaction before failing (busy_timeout).
SQLITE_BUSY_TIMEOUT_SECONDS = 30


# Statements that write (DDL included, so a migration is one transaction), and a savepoint, which
# is only taken to write (store/group_writer.py).
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "ALTER", "DROP", "SAVEPOINT")


def make_engine(url: str) -> Engine:
    """One engine per process.

    SQLite runs in WAL mode (readers never block the writer) with a busy timeout. Following
    SQLAlchemy's pysqlite recipe, the driver's own transaction handling is off and the transaction
    begins explicitly, as BEGIN IMMEDIATE, but only at a transaction's first write: a transaction
    that reads and then writes takes the write lock before its write (waiting in the busy handler)
    instead of failing with "database is locked" when another writer got there first, and reads
    never hold the write lock, so a page being rendered does not keep the intake waiting. Reads
    before the first write see committed data statement by statement, as PostgreSQL's default READ
    COMMITTED does. Several processes writing one file is the embedded default only; replicas use
    PostgreSQL.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    pool = {}
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # The API's thread pool serves up to 40 requests at once: keep their connections open.
        pool = {"pool_size": 20, "max_overflow": 20}
    engine = sa.create_engine(
        url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_SECONDS}, **pool)

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # pysqlite's own BEGIN off: ours is below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _begin_at_first_write(conn, _cursor, statement, _params, _context, _many) -> None:
        dbapi_conn = conn.connection.dbapi_connection
        if not dbapi_conn.in_transaction and statement.lstrip()[:9].upper().startswith(_WRITES):
            dbapi_conn.execute("BEGIN IMMEDIATE")

    return engine
