"""What each ``homing client`` subcommand does, below the click layer in ``homing.cli``."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from pathlib import Path

from homing.client.check import check_name
from homing.client.config import ClientConfig, load_client_config
from homing.client.daemon import Client, all_done
from homing.client.providers.registry import COMMON_KEYS, PROVIDERS
from homing.client.report import check_line, decision_text, detected_lines, status_lines
from homing.client.state import StateFile

log = logging.getLogger(__name__)


def load(config_file: Path, state_file: Path | None) -> ClientConfig:
    return load_client_config(config_file, state_file=state_file)


async def run_daemon(config: ClientConfig) -> None:
    """Until SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info("client started: %d name(s), state in %s", len(config.targets), config.state_file)
    async with Client(config) as client:
        await client.run(stop)
    log.info("client stopped")


async def run_once(config: ClientConfig) -> tuple[list[str], bool]:
    async with Client(config) as client:
        outcomes = await client.once()
        lines = detected_lines(client.board.addresses, client.sources, client.board.problems)
    lines += [f"{o.target.key}\t{decision_text(o.decision)}" for o in outcomes]
    return lines, all_done(outcomes)


def status(config: ClientConfig) -> list[str]:
    return status_lines(config, StateFile.load(config.state_file), now=time.time())


async def check(config: ClientConfig) -> tuple[list[str], bool]:
    async with Client(config) as client:
        detected = await client.detect()
        lines = detected_lines(detected, client.sources, client.board.problems)
    results = await asyncio.gather(*(check_name(t, detected) for t in config.targets))
    lines += [check_line(r) for r in results]
    return lines, all(r.ok for r in results)


def provider_lines() -> list[str]:
    """Each provider, what it is, and its required and optional keys (docs/client.md has more)."""
    lines = [f"every provider: {', '.join(COMMON_KEYS)}", ""]
    for name, info in PROVIDERS.items():
        extra = f" (needs pip install 'homing[{info.extra}]')" if info.extra else ""
        only = "" if len(info.families) > 1 else " (A records only)"
        lines.append(f"{name}: {info.summary}{only}{extra}")
        if info.required:
            lines.append(f"  required: {info.shown_keys(info.required)}")
        if info.either:
            lines.append(f"  required, one or more of: {info.shown_keys(info.either)}")
        if info.optional:
            lines.append(f"  optional: {info.shown_keys(info.optional)}")
    return lines
