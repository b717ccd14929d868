"""Counts that every node sharing a database must see: the brake's, and nochg floods.

With several nodes behind one address, counts kept in each node's memory
would give an attacker one budget per node (issue 9 item 4). Each node keeps
deciding from memory — the fast path, no round trip on a credential check —
and tells the others what it counted: a failure, a lock, a cleared login, an
unchanged update. Every ``interval`` seconds ``CountExchange`` writes what
this node counted meanwhile through the writer (one transaction, never more
than one per interval however many counts: a nochg flood must not become a
flood of transactions) and reads what the others counted; each node folds
the others' counts into its memory. So a count reaches every node within
about two intervals plus a commit; only what an attacker sends inside that
moment can pass the budget, per node. What is decided before any count is
known cannot wait for them: an attacked login's gate is opened by one node at
a time through a claim in the database (``DatabaseGates``).

Times cross nodes as wall-clock seconds: monotonic clocks do not compare
between machines (the brake's own clock stays monotonic). On SQLite there is
one node, and nothing of this runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from enum import StrEnum
from typing import Protocol

from homing.core.brake import BrakeLimits, MemoryBrakeState, lock_threshold
from homing.core.ratelimit import FloodCounter
from homing.core.write_path import WritePath
from homing.errors import StoreError
from homing.store.node_state import (
    SharedCount,
    add_shared_counts,
    claim_gate,
    forget_gate,
    prune_gates,
    prune_shared_counts,
    shared_counts_after,
)
from homing.store.store import Store
from homing.store.transaction import WriteTransaction

log = logging.getLogger(__name__)

MAX_OUTBOX = 10_000
PAGE = 5000
PRUNE_SECONDS = 60.0


class Scope(StrEnum):
    BRAKE = "brake"
    NOCHG = "nochg"


class Kind(StrEnum):
    FAIL = "fail"
    LOCK = "lock"
    CLEAR = "clear"
    COUNT = "count"
    ADMIT = "admit"


Receiver = Callable[[Kind, str, float, float | None], None]
"""Told another node's count: its kind, key, time and lock end (monotonic, this node's clock)."""


class CountSharing(Protocol):
    """How counts travel between nodes: ``CountExchange``, or a simulation (bench/guesses.py)."""

    def receive(self, scope: Scope, receiver: Receiver) -> None: ...

    def tell(
        self, scope: Scope, kind: Kind, key: str, *, at: float, until: float | None = None
    ) -> None: ...


def wall_offset() -> float:
    """What to add to this node's monotonic clock to get wall-clock seconds."""
    return time.time() - time.monotonic()


class CountExchange:
    """Tells the other nodes what this node counted, and folds in what they counted."""

    def __init__(
        self,
        *,
        store: Store,
        writes: WritePath,
        node: str,
        horizon: float,
        interval: float = 0.1,
    ) -> None:
        self._store = store
        self._writes = writes
        self._node = node[:32]
        self._horizon = horizon
        """Counts older than this (the longest window or lock-out) are forgotten."""
        self._interval = interval
        self._outbox: deque[SharedCount] = deque(maxlen=MAX_OUTBOX)
        self._receivers: dict[Scope, Receiver] = {}
        self._last_id = 0
        self._task: asyncio.Task[None] | None = None
        self._next_prune = 0.0
        self._failing = False

    def receive(self, scope: Scope, receiver: Receiver) -> None:
        """Hand the other nodes' counts of ``scope`` to ``receiver``."""
        self._receivers[scope] = receiver

    def tell(
        self, scope: Scope, kind: Kind, key: str, *, at: float, until: float | None = None
    ) -> None:
        """Queue one count of this node (times on the monotonic clock) for the others."""
        offset = wall_offset()
        self._outbox.append(
            SharedCount(
                node=self._node,
                scope=scope.value,
                kind=kind.value,
                key=key,
                at=at + offset,
                until=None if until is None else until + offset,
            )
        )

    async def start(self) -> None:
        """Fold in the counts still current (a node starting mid-attack), then follow."""
        await self._pull()
        self._task = asyncio.create_task(self._run(), name="homing-shared-counts")

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
        with contextlib.suppress(Exception):
            await self._flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self._flush()
                await self._pull()
                await self._maybe_prune()
            except Exception as exc:
                if not self._failing:
                    log.warning("cannot share brake and nochg counts (will retry): %s", exc)
                self._failing = True
            else:
                if self._failing:
                    log.info("sharing brake and nochg counts again")
                self._failing = False

    async def _flush(self) -> None:
        if not self._outbox:
            return
        batch = list(self._outbox)
        self._outbox.clear()

        async def write(txn: WriteTransaction) -> None:
            await add_shared_counts(txn, batch)

        try:
            await self._writes.transaction(write)
        except (StoreError, asyncio.CancelledError):
            self._outbox.extendleft(reversed(batch))  # kept (to the bound) for the next try
            raise
        except Exception:
            # Not the database being away: the same rows would fail again, for ever.
            log.exception("dropped %d brake and nochg counts the database refused", len(batch))

    async def _pull(self) -> None:
        offset = wall_offset()
        since = time.time() - self._horizon
        while True:
            async with self._store.read() as txn:
                rows = await shared_counts_after(txn, self._last_id, since=since, limit=PAGE)
            for row_id, count in rows:
                self._last_id = row_id
                receiver = self._receivers.get(Scope(count.scope))
                if count.node == self._node or receiver is None:
                    continue
                until = None if count.until is None else count.until - offset
                receiver(Kind(count.kind), count.key, count.at - offset, until)
            if len(rows) < PAGE:
                break

    async def _maybe_prune(self) -> None:
        now = time.monotonic()
        if now < self._next_prune:
            return
        self._next_prune = now + PRUNE_SECONDS
        before = time.time() - self._horizon

        async def prune(txn: WriteTransaction) -> int:
            return await prune_shared_counts(txn, before=before) + await prune_gates(
                txn, before=before
            )

        removed = await self._writes.transaction(prune)
        if removed:
            log.debug("forgot %d shared counts older than %.0f s", removed, self._horizon)


class DatabaseGates:
    """``GateClaims`` in the shared database: one write, through the writer, per opening."""

    def __init__(self, writes: WritePath) -> None:
        self._writes = writes

    async def claim(self, key: str, *, at: float, interval: float) -> bool:
        wall = at + wall_offset()

        async def take(txn: WriteTransaction) -> bool:
            return await claim_gate(txn, key, at=wall, interval=interval)

        return await self._writes.transaction(take)

    async def release(self, key: str) -> None:
        async def forget(txn: WriteTransaction) -> None:
            await forget_gate(txn, key)

        await self._writes.transaction(forget)


class SharedBrakeState(MemoryBrakeState):
    """The brake's memory, told of the other nodes' failures, locks, clears and gate passes.

    Checks in flight stay per node: they bound the work of this node's checks,
    and a round trip per check would cost what the memory saves.
    """

    def __init__(
        self,
        *,
        limits: BrakeLimits,
        exchange: CountSharing,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(horizon=max(limits.window, limits.lockout))
        self._limits = limits
        self._exchange = exchange
        self._clock = clock
        exchange.receive(Scope.BRAKE, self._heard)

    def fail(self, key: str, *, now: float, since: float) -> int:
        self._exchange.tell(Scope.BRAKE, Kind.FAIL, key, at=now)
        return super().fail(key, now=now, since=since)

    def clear(self, key: str) -> None:
        self._exchange.tell(Scope.BRAKE, Kind.CLEAR, key, at=self._clock())
        super().clear(key)

    def lock(self, key: str, *, until: float) -> None:
        self._exchange.tell(Scope.BRAKE, Kind.LOCK, key, at=self._clock(), until=until)
        super().lock(key, until=until)

    def admit(self, key: str, *, now: float, interval: float) -> bool:
        if not super().admit(key, now=now, interval=interval):
            return False
        self._exchange.tell(Scope.BRAKE, Kind.ADMIT, key, at=now)
        return True

    def _heard(self, kind: Kind, key: str, at: float, until: float | None) -> None:
        if kind is Kind.ADMIT:
            self.admitted(key, at=at)
        elif kind is Kind.FAIL:
            # Locked here too once the failures of all nodes reach the threshold: the node
            # where the last one happened may not have known of the others' yet.
            now = self._clock()
            count = super().fail(key, now=at, since=now - self._limits.window)
            threshold = lock_threshold(key, self._limits)
            if threshold is not None and count >= threshold and not self.locked(key, now=now):
                super().lock(key, until=at + self._limits.lockout)
        elif kind is Kind.LOCK and until is not None:
            super().lock(key, until=until)
        elif kind is Kind.CLEAR:
            super().clear(key)


class SharedFloodCounter(FloodCounter):
    """A flood counter told of the other nodes' counts (nochg floods: one budget per host)."""

    def __init__(self, *, limit: int, window: float, exchange: CountExchange) -> None:
        super().__init__(limit=limit, window=window)
        self._exchange = exchange
        exchange.receive(Scope.NOCHG, self._heard)

    def count(self, key: str) -> None:
        now = time.monotonic()
        self._exchange.tell(Scope.NOCHG, Kind.COUNT, key, at=now)
        self.add(key, at=now)

    def _heard(self, kind: Kind, key: str, at: float, _until: float | None) -> None:
        if kind is Kind.COUNT:
            self.add(key, at=at)
