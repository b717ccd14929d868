"""Wires a ``ClientConfig`` into running parts: sources, providers, state, tasks.

``run`` is the daemon; ``once`` is one detection and update pass. Both use
the same scheduler functions, so what ``once`` proves is what ``run`` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType

import httpx

from homing.client.addresses import Addresses, Family
from homing.client.config import ClientConfig, Target
from homing.client.detect import AddressSource
from homing.client.http import new_http_client
from homing.client.policy import Action, Decision
from homing.client.providers import Provider
from homing.client.scheduler import AddressBoard, detect_once, keep, push_if_needed, watch
from homing.client.state import StateFile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """A target and where it stands after a pass."""

    target: Target
    decision: Decision


class Client:
    """The client's parts for one config; use as ``async with Client(config) as client``."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        sources: Mapping[Family, AddressSource] | None = None,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.board = AddressBoard()
        self.sources: dict[Family, AddressSource] = dict(sources or {})
        self._clock = clock
        self._rng = rng
        self._http: httpx.AsyncClient | None = None
        self.providers: dict[str, Provider] = {}
        self.states = StateFile.load(config.state_file)

    async def __aenter__(self) -> Client:
        config = self.config
        for family, settings in config.sources.items():
            if family not in self.sources:
                self.sources[family] = settings.build(
                    family=family, public_only=config.public_only, timeout=config.timeout_seconds
                )
        self._http = new_http_client(timeout=config.timeout_seconds)
        for target in config.targets:
            self.providers[target.key] = target.settings.build(self._http)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for source in self.sources.values():
            await source.aclose()
        if self._http is not None:
            await self._http.aclose()

    async def detect(self) -> Addresses:
        """Every family's address once (failures are noted on the board)."""
        await asyncio.gather(*(detect_once(s, f, self.board) for f, s in self.sources.items()))
        return self.board.addresses

    async def once(self) -> list[Outcome]:
        """One pass: detect, push what changed, say where every target stands."""
        await self.detect()
        decisions = await asyncio.gather(*(self._push(t) for t in self.config.targets))
        return [Outcome(t, d) for t, d in zip(self.config.targets, decisions, strict=True)]

    async def _push(self, target: Target) -> Decision:
        return await push_if_needed(
            target,
            self.providers[target.key],
            self.board,
            self.states,
            clock=self._clock,
            rng=self._rng,
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Watch and push until ``stop`` is set."""
        tasks = [
            asyncio.create_task(
                watch(
                    source,
                    family,
                    self.board,
                    poll_seconds=self.config.sources[family].poll_seconds,
                    rng=self._rng,
                ),
                name=f"watch-{family.value}",
            )
            for family, source in self.sources.items()
        ]
        tasks += [
            asyncio.create_task(
                keep(
                    target,
                    self.providers[target.key],
                    self.board,
                    self.states,
                    clock=self._clock,
                    rng=self._rng,
                ),
                name=f"keep-{target.key}",
            )
            for target in self.config.targets
        ]
        waiter = asyncio.create_task(stop.wait())
        try:
            done, _ = await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                if task is not waiter:
                    task.result()  # a task that ended has failed: let its error out
        finally:
            for task in [waiter, *tasks]:
                task.cancel()
            for task in [waiter, *tasks]:
                with contextlib.suppress(asyncio.CancelledError):
                    await task


def all_done(outcomes: list[Outcome]) -> bool:
    return all(o.decision.action is Action.DONE for o in outcomes)
