"""Alembic environment: runs migrations on the connection ``store.migrate`` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from homing.store.schema import metadata

config = context.config
target_metadata = metadata


def run_migrations_online() -> None:
    """Run against the connection passed in ``config.attributes``, or the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
