"""Alembic, driven from code: `kelahiran migrate` and the tests use the same path."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from store.db import make_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # Passed as an attribute, not an ini option: URLs may contain '%' which ini would interpolate.
    cfg.attributes["url"] = url
    return cfg


def upgrade_to_head(url: str) -> None:
    make_engine(url).dispose()  # creates the SQLite parent folder when needed
    command.upgrade(alembic_config(url), "head")
