"""One API on a database of its own, Temporal unreachable: for what reads only the intake's writes and
the read model (the family as sent, the console's bundle page), without the session-wide stack."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col

from api.app import create_app
from infra.settings import Settings
from store.cipher import spec_for_tests
from store.db import make_engine
from store.migrate import upgrade_to_head
from store.models import Bundle
from tests.support.servers import serve_app


@contextlib.contextmanager
def lone_api(folder: Path) -> Iterator[tuple[str, Settings]]:
    """The API's base URL and its settings (Temporal at a closed port: births stay pending)."""
    url = f"sqlite:///{folder}/api.db"
    upgrade_to_head(url)
    settings = Settings(environment="test", database_url=url, temporal_address="127.0.0.1:9",
                        temporal_ui_url=None, readmodel_keys=spec_for_tests())
    with serve_app(create_app(settings)) as base:
        yield base, settings


def route_to(settings: Settings, bundle_id: str, office: str | None) -> None:
    """Set the bundle's office as the workflow's routing would (no workflow runs here)."""
    engine = make_engine(settings.database_url)
    with Session(engine) as s:
        s.exec(sa.update(Bundle).where(col(Bundle.id) == bundle_id).values(office_code=office))
        s.commit()
    engine.dispose()
