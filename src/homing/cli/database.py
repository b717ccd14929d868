"""The database's own commands: ``homing db upgrade`` and ``homing db copy --to URL`` (issue 9)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from homing.cli.base import Context, common_options, main, pass_context, run
from homing.logs import setup_logging

T = TypeVar("T")


@main.group("db")
def db() -> None:
    """The database: schema migrations, and moving an installation to PostgreSQL."""


@db.command("upgrade")
@common_options
@pass_context
def upgrade(ctx: Context) -> None:
    """Bring the database's schema to this release's (serve also does so at start)."""
    from homing.store.database import SCHEMA_HEAD, database_schema_version, migrate_database
    from homing.store.location import configured_database

    settings = ctx.settings()
    setup_logging("WARNING")
    database = configured_database(settings)

    async def call() -> str | None:
        before = await database_schema_version(database)
        await migrate_database(database)
        return before

    before = _guarded(database.shown, lambda: run(call(), fast_sockets=False))
    if before == SCHEMA_HEAD:
        click.echo(f"{database.shown} is at schema {SCHEMA_HEAD} already")
    else:
        click.echo(f"{database.shown} upgraded from schema {before or '(empty)'} to {SCHEMA_HEAD}")


@db.command("copy")
@click.option(
    "--to",
    "to",
    metavar="URL",
    required=True,
    envvar="HOMING_COPY_TO",
    help="The empty PostgreSQL database (postgresql://user:password@host:port/dbname); "
    "$HOMING_COPY_TO keeps the password out of the process list.",
)
@common_options
@pass_context
def copy(ctx: Context, to: str) -> None:
    """Copy every row of this installation into an empty PostgreSQL database.

    Stop `homing serve` first: changes made during the copy are not carried over.
    Afterwards set database_url to the new database on every node.
    """
    from homing.store.copy import copy_database
    from homing.store.location import Database, configured_database
    from homing.store.store import Store

    settings = ctx.settings()
    setup_logging("WARNING")
    target = Database.postgresql(to, setting="--to")

    async def call() -> str:
        source = await Store.open(configured_database(settings))
        try:
            return (await copy_database(source, target)).line()
        finally:
            await source.close()

    click.echo(_guarded(target.shown, lambda: run(call(), fast_sockets=False)))


@db.command("new-session-key")
@common_options
@pass_context
def new_session_key(ctx: Context) -> None:
    """Replace the web UI's signing key: signs everybody out, voids invitation links.

    Takes effect when each `homing serve` node restarts.
    """
    from homing.cli.base import store_call
    from homing.core.session_key import renew_session_key
    from homing.core.write_path import DirectWrites
    from homing.http.web.server_secret import SECRET_FILE

    settings = ctx.settings()
    store_call(ctx, lambda store: renew_session_key(writes=DirectWrites(store)))
    # An old key file would otherwise be taken over again by a database without a key.
    (settings.data_dir / SECRET_FILE).unlink(missing_ok=True)
    click.echo("new web session key stored; restart every homing serve node to use it")


def _guarded(shown: str, action: Callable[[], T]) -> T:
    """Driver failures outside the store (OSError, connection refused) as one line."""
    from sqlalchemy.exc import SQLAlchemyError

    from homing.errors import StoreError
    from homing.store.database import failure_reason

    try:
        return action()
    except (SQLAlchemyError, OSError) as exc:
        raise StoreError(f"database {shown}: {failure_reason(exc)}") from exc
