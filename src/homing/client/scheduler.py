"""The daemon's tasks: one per address family watching its source, one per target pushing.

Watchers post the last good address of their family on an ``AddressBoard``;
each target's task wakes when the board changes or its wait is over, and
asks ``policy.decide`` what to do. Every target has its own task, so a
provider that hangs or backs off never delays another name.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import replace

from homing.client.addresses import Addresses, Family
from homing.client.backoff import backoff_seconds
from homing.client.config import Target
from homing.client.detect import AddressSource
from homing.client.errors import DetectionError
from homing.client.policy import Action, Decision, current, decide, record, to_send
from homing.client.providers import Provider, ProviderAnswer
from homing.client.state import StateFile, TargetState
from homing.domain.addresses import IPAddress

log = logging.getLogger(__name__)

DETECT_RETRY_BASE = 5.0
AnswerHook = Callable[[Target, TargetState, TargetState, ProviderAnswer], None]
"""Called after each answer with the target, its state before and after, and the answer."""


class AddressBoard:
    """The last good address of each family; waiters wake when one changes."""

    def __init__(self) -> None:
        self._addresses = Addresses()
        self._changed = asyncio.Condition()
        self.version = 0
        self.problems: dict[Family, str] = {}

    @property
    def addresses(self) -> Addresses:
        return self._addresses

    async def post(self, address: IPAddress) -> None:
        if self._addresses.replaced(address) == self._addresses:
            return
        self._addresses = self._addresses.replaced(address)
        self.version += 1
        async with self._changed:
            self._changed.notify_all()

    async def wait_newer(self, version: int, seconds: float | None) -> None:
        """Return when the board is newer than ``version`` or ``seconds`` have passed."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self.version != version), seconds
                )


async def detect_once(source: AddressSource, family: Family, board: AddressBoard) -> bool:
    """One detection; a failure is noted on the board and keeps the last good address."""
    try:
        address = await source.detect()
    except DetectionError as exc:
        board.problems[family] = str(exc)
        log.warning("%s address from %s: %s", family.value, source.description, exc)
        return False
    board.problems.pop(family, None)
    if address != board.addresses.get(family):
        log.info("%s address is %s (from %s)", family.value, address, source.description)
    await board.post(address)
    return True


async def watch(
    source: AddressSource,
    family: Family,
    board: AddressBoard,
    *,
    poll_seconds: float,
    rng: random.Random | None = None,
) -> None:
    """Detect forever: at each change the source reports, each poll, and sooner after errors."""
    failures = 0
    while True:
        if await detect_once(source, family, board):
            failures, wait = 0, poll_seconds
        else:
            failures += 1
            wait = backoff_seconds(failures, base=DETECT_RETRY_BASE, cap=poll_seconds, rng=rng)
        await source.wait_for_change(wait)


class Pusher:
    """Keeps one target up to date: decide, push, remember, and tell ``on_answer``."""

    def __init__(
        self,
        target: Target,
        provider: Provider,
        *,
        board: AddressBoard,
        states: StateFile,
        on_answer: AnswerHook | None = None,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.target = target
        self.provider = provider
        self._board = board
        self._states = states
        self._on_answer = on_answer
        self._clock = clock
        self._rng = rng

    @property
    def state(self) -> TargetState:
        return current(self._states.get(self.target.key), self.target.fingerprint)

    def forget(self, families: Iterable[Family]) -> None:
        """Forget what was published for ``families``, so that they are pushed again."""
        keep = frozenset(self.target.families) - frozenset(families)
        state = self.state
        self._states.put(self.target.key, replace(state, published=state.published.only(keep)))

    async def push_if_needed(self) -> Decision:
        """Decide and push if that is the decision; returns the decision after."""
        target, before = self.target, self.state
        detected = target.wanted(self._board.addresses)
        decision = decide(before, detected, now=self._clock())
        if decision.action is not Action.PUSH:
            return decision
        sent = to_send(before, detected).only(target.families)
        log.info("%s: pushing %s", target.key, sent)
        answer = await self.provider.update(target.name, sent)
        after = record(before, answer, sent=sent, now=self._clock(), rng=self._rng)
        self._states.put(target.key, after)
        level = logging.INFO if answer.kind.done else logging.WARNING
        log.log(level, "%s: %s (%s)", target.key, answer.text, answer.kind.value)
        if self._on_answer is not None:
            self._on_answer(target, before, after, answer)
        if answer.kind.done:
            # Said as what happened: "up to date" right after a push read as if nothing was sent.
            return Decision(Action.DONE, f"updated to {sent} ({answer.text})")
        return decide(after, detected, now=self._clock())

    async def keep(self) -> None:
        """Keep the target up to date forever."""
        while True:
            version = self._board.version
            decision = await self.push_if_needed()
            if decision.action is Action.PUSH:
                continue
            wait = None if decision.at is None else max(0.0, decision.at - self._clock())
            await self._board.wait_newer(version, wait)
