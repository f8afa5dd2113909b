"""Engine and sessions: SQLite by default (WAL, busy timeout), PostgreSQL by URL."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from simulators.bpjs import models


def init_db(engine: Engine) -> None:
    models.BpjsTable.metadata.create_all(engine)


def is_seeded(session: Session) -> bool:
    return session.exec(select(models.SeedState)).first() is not None
