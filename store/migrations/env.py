"""Alembic environment: runs online against the URL the caller passes in config.attributes."""

from __future__ import annotations

from alembic import context

from store.db import make_engine
from store.models import read_model_metadata

config = context.config
target_metadata = read_model_metadata()


def run_migrations_online() -> None:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
