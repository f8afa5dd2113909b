"""One API on a database of its own, Temporal unreachable: for what reads only the intake's writes and
the read model (the family as sent, the console's bundle page, the answers to bad input), without
the session-wide stack. `lone_api` serves it over HTTP; `lone_client` calls it in process."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlmodel import Session, col

from api.app import create_app
from api.auth import accounts, keys
from api.auth.roles import Role
from infra.settings import Settings
from store.cipher import spec_for_tests
from store.db import make_engine
from store.migrate import upgrade_to_head
from store.models import Bundle
from tests.support.creds import PASSWORD
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


@contextlib.asynccontextmanager
async def lone_client(folder: Path, hospital_id: str, *, operator: str | None = None,
                      **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client of a fresh API (its lifespan run), posting as `hospital_id` with a key of
    its own; `operator`: an operator account of that name too (password creds.PASSWORD)."""
    url = f"sqlite:///{folder}/k.db"
    upgrade_to_head(url)
    engine = make_engine(url)
    with Session(engine) as s:
        accounts.create_hospital(session=s, hospital_id=hospital_id, name=f"Rumah Sakit {hospital_id}")
        key = keys.issue_key(session=s, hospital_id=hospital_id, label="t").key
        if operator:
            accounts.create_operator(session=s, username=operator, full_name="Test operator",
                                     role=Role.operator, password=PASSWORD)
    engine.dispose()
    app = create_app(Settings(environment="test", database_url=url, temporal_address="127.0.0.1:1",
                              **settings))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api",
                                     headers={"X-API-Key": key}) as client:
            yield client


def route_to(settings: Settings, bundle_id: str, office: str | None) -> None:
    """Set the bundle's office as the workflow's routing would (no workflow runs here)."""
    engine = make_engine(settings.database_url)
    with Session(engine) as s:
        s.exec(sa.update(Bundle).where(col(Bundle.id) == bundle_id).values(office_code=office))
        s.commit()
    engine.dispose()
