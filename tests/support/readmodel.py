"""Read-model engines for tests (a migrated database, an engine, disposed afterwards) and whole states."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain.contracts import BundleState
from store import bundles
from store.cipher import StateCipher
from store.db import make_engine
from store.migrate import upgrade_to_head
from store.models import Bundle
from tests.support.postgres import throwaway_schema

# `@pytest.fixture(params=BACKENDS)`: a test on real SQLite and on the real PostgreSQL.
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextlib.contextmanager
def migrated_url(backend: str, folder: Path) -> Iterator[str]:
    """A read-model database at head: a SQLite file in `folder`, or a throwaway PostgreSQL schema."""
    sqlite = contextlib.nullcontext(f"sqlite:///{folder}/rm.db")
    with throwaway_schema() if backend == "postgres" else sqlite as url:
        upgrade_to_head(url)
        yield url


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


def write_state(session: Session, state: BundleState, cipher: StateCipher, *, history: int = 0) -> bool:
    """Store a whole state as the workflow would: inserted if the bundle has no row yet, else as one
    write of everything (refused, False, if the stored one is newer)."""
    if session.get(Bundle, state.bundle_id) is None:
        return bundles.insert_received(session=session, state=state, cipher=cipher)
    session.rollback()  # end the read before the write's own transaction
    return bundles.apply_sync(session=session, sync=bundles.full_sync(state, history), cipher=cipher)


def read_state(session: Session, bundle_id: str, cipher: StateCipher) -> BundleState:
    return bundles.load_state(session=session, row=session.get(Bundle, bundle_id), cipher=cipher)
