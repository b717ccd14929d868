"""``homing client``: the DDNS client daemon, its one-shot, status and check commands, providers."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from homing.cli.base import main
from homing.logs import setup_logging

if TYPE_CHECKING:
    pass


# -- client ------------------------------------------------------------------------------


def _client_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The client's own ``--config`` (its TOML file, not the provider's) and ``--state``."""
    from homing.client.config import DEFAULT_CONFIG

    command = click.option(
        "--state",
        "state_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="State file (default: state_file from the config).",
    )(command)
    return click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="HOMING_CLIENT_CONFIG",
        default=DEFAULT_CONFIG,
        show_default=True,
        help="Client config file (or $HOMING_CLIENT_CONFIG).",
    )(command)


@main.group("client")
def client_group() -> None:
    """Keep names pointing at this machine (the DDNS client daemon)."""


@client_group.command("run")
@_client_options
def clientrun(config_file: Path, state_file: Path | None) -> None:
    """Run the daemon: detect address changes and update every name."""
    from homing.client.commands import load, run_daemon

    config = load(config_file, state_file)
    setup_logging(config.log_level)
    asyncio.run(run_daemon(config))  # plain asyncio: uvloop cannot carry netlink sockets


@client_group.command("once")
@_client_options
def client_once(config_file: Path, state_file: Path | None) -> None:
    """One detection and update pass; exit status 0 only if every name is up to date."""
    from homing.client.commands import load, run_once

    config = load(config_file, state_file)
    setup_logging("WARNING")
    lines, ok = asyncio.run(run_once(config))
    click.echo("\n".join(lines))
    sys.exit(0 if ok else 1)


@client_group.command("status")
@_client_options
def client_status(config_file: Path, state_file: Path | None) -> None:
    """Per name: the published address, when it was pushed, the last answer, what is next."""
    from homing.client.commands import load, status

    click.echo("\n".join(status(load(config_file, state_file))))


@client_group.command("check")
@_client_options
def client_check(config_file: Path, state_file: Path | None) -> None:
    """Validate the config, show detected addresses, resolve each name; update nothing."""
    from homing.client.commands import check, load

    config = load(config_file, state_file)
    setup_logging("ERROR")
    lines, ok = asyncio.run(check(config))
    click.echo("\n".join(lines))
    sys.exit(0 if ok else 1)


@client_group.command("providers")
def client_providers() -> None:
    """List every provider with the keys its [[update]] table takes."""
    from homing.client.commands import provider_lines

    click.echo("\n".join(provider_lines()))
