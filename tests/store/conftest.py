"""A migrated read-model database on real SQLite and the real PostgreSQL, and an engine on it."""

from __future__ import annotations

import pytest

from tests.support.readmodel import BACKENDS, engine_for, migrated_url


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    with migrated_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(db_url):
    with engine_for(db_url) as eng:
        yield eng
