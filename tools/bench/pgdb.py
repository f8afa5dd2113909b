"""A scratch PostgreSQL database for the production shape's read model: made empty, dropped after."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.engine import make_url

# The local server (trust auth on loopback); --stack-database-url names any other database.
SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PREFIX = "kelahiran_bench_"


def _libpq(url: str) -> str:
    """A SQLAlchemy URL as psycopg takes it (no +driver)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def scratch_database(server: str = SERVER, *, keep: bool = False) -> Iterator[str]:
    """CREATE DATABASE kelahiran_bench_<random> on `server`; yields its URL; drops it on exit (unless
    `keep`). Connections still open then (a stack that did not stop) are ended by DROP ... FORCE."""
    name = f"{PREFIX}{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_libpq(server), autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        if not keep:
            with psycopg.connect(_libpq(server), autocommit=True, connect_timeout=10) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
