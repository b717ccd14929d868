"""Backing up and restoring a data directory: ``homing backup FILE``, ``homing restore FILE``."""

from __future__ import annotations

from pathlib import Path

import click

from homing.cli.base import Context, common_options, main, pass_context
from homing.config import Settings
from homing.errors import ConfigError
from homing.logs import setup_logging


def _sqlite_only(settings: Settings, command: str) -> None:
    """A PostgreSQL installation is backed up with PostgreSQL's tools (docs/nodes.md)."""
    if settings.database_url:
        raise ConfigError(
            f"homing {command} covers the SQLite file of a data directory; this installation "
            "uses PostgreSQL (database_url): use pg_dump and pg_restore"
        )


@main.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@common_options
@pass_context
def backup(ctx: Context, file: Path) -> None:
    """Write a consistent backup of the data directory to FILE (safe while serving).

    FILE (a .tar.gz, mode 0600) holds the database as of one moment and the web
    session key; it holds secrets (TSIG keys), so keep it as safe as the server.
    """
    from homing.store.backup import create_backup

    settings = ctx.settings()
    _sqlite_only(settings, "backup")
    setup_logging("WARNING")
    info = create_backup(settings.data_dir, file)
    size = file.stat().st_size
    click.echo(
        f"backup of {settings.data_dir} written to {file} "
        f"({size} bytes, schema {info.schema}, {', '.join(info.files)})"
    )


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@common_options
@pass_context
def restore(ctx: Context, file: Path) -> None:
    """Restore the backup FILE into the data directory, which must be empty or absent."""
    from homing.store.backup import restore_backup

    settings = ctx.settings()
    _sqlite_only(settings, "restore")
    setup_logging("WARNING")
    info = restore_backup(file, settings.data_dir)
    click.echo(
        f"restored {file} (taken {info.created_at} by Homing {info.homing_version}) "
        f"into {settings.data_dir}"
    )
