"""Wires a ``ClientConfig`` into running parts: sources, providers, state, notifications, tasks.

``run`` is the daemon; ``once`` is one detection and update pass. Both
first repair what the provider no longer publishes (``repair``) and then
use the same ``Pusher``, so what ``once`` proves is what ``run`` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

from homing.client.addresses import Addresses, Family
from homing.client.config import ClientConfig, Target
from homing.client.detect import AddressSource
from homing.client.http import new_http_client
from homing.client.notify.events import events_for, pass_event
from homing.client.notify.outbox import Outbox
from homing.client.policy import Action, Decision, decide
from homing.client.providers import ProviderAnswer
from homing.client.repair import repair
from homing.client.scheduler import AddressBoard, Pusher, detect_once, watch
from homing.client.state import StateFile, TargetState

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
        self.pushers: list[Pusher] = []
        self.outbox = Outbox([])
        self.states = StateFile.load(config.state_file)

    async def __aenter__(self) -> Client:
        config = self.config
        for family, settings in config.sources.items():
            if family not in self.sources:
                self.sources[family] = settings.build(
                    family=family, public_only=config.public_only, timeout=config.timeout_seconds
                )
        self._http = new_http_client(timeout=config.timeout_seconds)
        self.pushers = [
            Pusher(
                target,
                target.settings.build(self._http),
                board=self.board,
                states=self.states,
                on_answer=self._answered,
                clock=self._clock,
                rng=self._rng,
            )
            for target in config.targets
        ]
        self.outbox = Outbox(config.notify.build(self._http), rng=self._rng)
        await self.outbox.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.outbox.__aexit__(exc_type, exc, traceback)
        for source in self.sources.values():
            await source.aclose()
        if self._http is not None:
            await self._http.aclose()

    def _answered(
        self, target: Target, before: TargetState, after: TargetState, answer: ProviderAnswer
    ) -> None:
        threshold = self.config.notify.failures_before_alert
        for event in events_for(
            target, before, after, answer, threshold=threshold, now=self._clock()
        ):
            self.outbox.post(event)

    async def detect(self) -> Addresses:
        """Every family's address once (failures are noted on the board)."""
        await asyncio.gather(*(detect_once(s, f, self.board) for f, s in self.sources.items()))
        return self.board.addresses

    async def once(self) -> list[Outcome]:
        """One pass: detect, repair, push what changed, say where every target stands."""
        await asyncio.gather(self.detect(), *(repair(p) for p in self.pushers))
        decisions = await asyncio.gather(*(p.push_if_needed() for p in self.pushers))
        outcomes = [Outcome(p.target, d) for p, d in zip(self.pushers, decisions, strict=True)]
        by_key = {o.target.key: o.decision for o in outcomes}
        self.outbox.post(pass_event(by_key, self.board.problems, now=self._clock()))
        return outcomes

    @staticmethod
    async def _repair_and_keep(pusher: Pusher) -> None:
        await repair(pusher)
        await pusher.keep()

    def decisions(self) -> dict[str, Decision]:
        """Where every target stands now, without pushing."""
        now = self._clock()
        return {
            p.target.key: decide(p.state, p.target.wanted(self.board.addresses), now=now)
            for p in self.pushers
        }

    async def heartbeat(self, seconds: float) -> None:
        """Post a pass event every ``seconds`` (the heartbeat notifier pings with it)."""
        while True:
            await asyncio.sleep(seconds)
            self.outbox.post(pass_event(self.decisions(), self.board.problems, now=self._clock()))

    async def run(self, stop: asyncio.Event) -> None:
        """Watch and push until ``stop`` is set."""
        jobs: dict[str, Coroutine[Any, Any, Any]] = {
            f"watch-{family.value}": watch(
                source,
                family,
                self.board,
                poll_seconds=self.config.sources[family].poll_seconds,
                rng=self._rng,
            )
            for family, source in self.sources.items()
        }
        for pusher in self.pushers:
            jobs[f"keep-{pusher.target.key}"] = self._repair_and_keep(pusher)
        if self.config.notify.heartbeat_url is not None:
            jobs["heartbeat"] = self.heartbeat(self.config.notify.heartbeat_seconds)
        tasks = [asyncio.create_task(job, name=name) for name, job in jobs.items()]
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
