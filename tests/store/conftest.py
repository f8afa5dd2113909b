"""A migrated read-model database on real SQLite and the real PostgreSQL, and an engine on it."""

from __future__ import annotations

import contextlib

import pytest

from store.migrate import upgrade_to_head
from tests.support.postgres import throwaway_schema
from tests.support.readmodel import engine_for


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    sqlite = contextlib.nullcontext(f"sqlite:///{tmp_path}/rm.db")
    with throwaway_schema() if request.param == "postgres" else sqlite as url:
        upgrade_to_head(url)
        yield url


@pytest.fixture
def engine(db_url):
    with engine_for(db_url) as eng:
        yield eng
