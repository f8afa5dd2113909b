"""The real PostgreSQL at 127.0.0.1:5432: one throwaway schema per test, failing (not skipping) in CI."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

PG_URL = os.environ.get("KELAHIRAN_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def require_postgres() -> None:
    """Skip locally without PostgreSQL; with CI set, an unreachable server is a failure."""
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001
        msg = f"PostgreSQL at {PG_URL} unreachable: {type(exc).__name__}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)


@contextlib.contextmanager
def throwaway_schema() -> Iterator[str]:
    """Yield a URL whose search_path is a fresh schema, dropped afterwards."""
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
