"""Read-model engines for tests: a migrated database, an engine, disposed afterwards."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy.engine import Engine

from store.db import make_engine
from store.migrate import upgrade_to_head


@contextlib.contextmanager
def engine_for(url: str, *, migrate: bool = False) -> Iterator[Engine]:
    """`make_engine(url)` (after migrating the database to head if `migrate`), disposed at the end."""
    if migrate:
        upgrade_to_head(url)
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
