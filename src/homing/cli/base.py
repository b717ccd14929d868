"""The ``homing`` command's core: the group, shared options and the store plumbing.

The commands live in sibling modules: a thin click layer over the app wiring
and the management use cases.

Every command takes ``--data``, ``--config`` and ``--database-url``; errors reach the user as one
line (``error: ...``) with exit status 1, details go to the log.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import sys
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from homing import __version__
from homing.config import Settings, load_settings, settings_markdown
from homing.errors import HomingError
from homing.logs import setup_logging

if TYPE_CHECKING:
    from homing.core.admin import Admin
    from homing.store.store import Store

# The provider's stack (SQLAlchemy, Starlette, uvicorn) is imported inside the commands
# that use it, so that `homing client` on a small device does not carry it in memory.

T = TypeVar("T")
log = logging.getLogger("homing")


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop when installed (faster sockets), else asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def run(coro: Coroutine[Any, Any, T], *, fast_sockets: bool = True) -> T:
    """Run ``coro``; ``fast_sockets`` (serving) on uvloop when installed.

    Management commands run on asyncio's own loop: after a uvloop loop with
    aiosqlite's thread has closed, a large write to a stdout pipe whose reader
    is not yet reading lost everything past the pipe's 64 KiB, exit status 0
    (`homing zone export | slow-consumer`; tests/integration/test_zone_files.py).
    """
    factory = _loop_factory() if fast_sockets else None
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(coro)


class Context:
    def __init__(self, data: Path | None, config: Path | None) -> None:
        self.data = data
        self.config = config
        self.database_url: str | None = None

    def settings(self, **overrides: Any) -> Settings:
        return load_settings(
            config_file=self.config,
            overrides={"data_dir": self.data, "database_url": self.database_url, **overrides},
        )


pass_context = click.make_pass_decorator(Context)


def _set_data(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(Context).data = value


def _set_config(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        ctx.ensure_object(Context).config = value


def _set_database_url(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(Context).database_url = value


DATABASE_URL_HELP = (
    "PostgreSQL database (postgresql://user:password@host:port/dbname) instead of the data "
    "directory's SQLite file; $HOMING_DATABASE_URL keeps the password out of the process list."
)


def common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--data``, ``--config`` and ``--database-url`` after the subcommand too."""
    command = click.option(
        "--database-url",
        metavar="URL",
        expose_value=False,
        callback=_set_database_url,
        help=DATABASE_URL_HELP,
    )(command)
    command = click.option(
        "--data",
        type=click.Path(file_okay=False, path_type=Path),
        expose_value=False,
        callback=_set_data,
        help="Data directory (overrides the one given before the command).",
    )(command)
    return click.option(
        "--config",
        type=click.Path(dir_okay=False, path_type=Path),
        expose_value=False,
        callback=_set_config,
        help="TOML settings file.",
    )(command)


def store_call(ctx: Context, action: Callable[[Store], Awaitable[T]]) -> T:
    """Run one management action on the data directory's store, then close it."""
    from homing.store.location import configured_database
    from homing.store.store import Store

    settings = ctx.settings()
    setup_logging("WARNING")

    async def call() -> T:
        store = await Store.open(configured_database(settings))
        try:
            return await action(store)
        finally:
            await store.close()

    return run(call(), fast_sockets=False)


def admin_call(ctx: Context, action: Callable[[Admin], Awaitable[T]]) -> T:
    from homing.core.admin import Admin
    from homing.core.journal import new_origin

    return store_call(ctx, lambda store: action(Admin(store=store, origin=new_origin("cli"))))


LAZY_COMMANDS = {"client": "homing.cli.client"}
"""Commands whose module is imported only when one of them runs: the client's (httpx, its
providers) took 0.4 s of every server-side command's start."""


class _Group(click.Group):
    """Turns HomingError into one clear line instead of a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            importlib.import_module(LAZY_COMMANDS[cmd_name])
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HomingError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="homing")
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="HOMING_DATA",
    help="Data directory (default ./homing-data, or $HOMING_DATA).",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="HOMING_CONFIG",
    help="TOML settings file; flags and HOMING_* variables override it.",
)
@click.option("--database-url", metavar="URL", help=DATABASE_URL_HELP)
@click.pass_context
def main(
    click_ctx: click.Context, data: Path | None, config: Path | None, database_url: str | None
) -> None:
    """Homing: a Dynamic DNS provider (authoritative DNS + update API) and client."""
    click_ctx.obj = Context(data, config)
    click_ctx.obj.database_url = database_url


@main.command("settings")
def settings_command() -> None:
    """Print every setting with its environment variable and default (Markdown)."""
    click.echo(settings_markdown(), nl=False)


def read_password(from_stdin: bool, *, required: bool) -> str | None:
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise click.UsageError("--password-stdin: no password on standard input")
        return password
    if sys.stdin.isatty():
        entered: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        return entered
    if required:
        raise click.UsageError("no terminal to ask for the password: use --password-stdin")
    return None
