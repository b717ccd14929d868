"""Brake and nochg counts shared by two nodes on one real PostgreSQL (issue 9 item 4).

An attacker who spreads guesses over the nodes gets one budget, not one per
node: failures counted at one node lock the same address out at the other,
and an attacked login's gate and each address's first guess are claimed in
the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from homing.core.brake import Brake, BrakeLimits, CredentialKind
from homing.core.events import EventBus
from homing.core.shared_counts import (
    CountExchange,
    DatabaseGates,
    Kind,
    Receiver,
    Scope,
    SharedBrakeState,
    SharedFloodCounter,
)
from homing.core.writer import ChangeWriter
from homing.store.location import Database
from homing.store.store import Store

LIMITS = BrakeLimits(max_failures=3, window=60, lockout=120, login_gate_seconds=600)
DEADLINE = 10.0


@dataclass
class Node:
    brake: Brake
    state: SharedBrakeState
    nochg: SharedFloodCounter
    exchange: CountExchange


@asynccontextmanager
async def node(url: str, name: str) -> AsyncIterator[Node]:
    store = await Store.open(Database.postgresql(url))
    writer = ChangeWriter(store=store, bus=EventBus(), origin=name)
    await writer.start()
    exchange = CountExchange(store=store, writes=writer, node=name, horizon=60, interval=0.02)
    state = SharedBrakeState(limits=LIMITS, exchange=exchange)
    nochg = SharedFloodCounter(limit=2, window=60, exchange=exchange)
    await exchange.start()
    try:
        brake = Brake(limits=LIMITS, state=state, gates=DatabaseGates(writer))
        yield Node(brake=brake, state=state, nochg=nochg, exchange=exchange)
    finally:
        await exchange.stop()
        await writer.stop()
        await store.close()


def _guess(brake: Brake, source: str) -> bool:
    """One wrong password for alice from ``source``; False when the brake refused the check."""
    with brake.reserve(source=source, login="alice", kind=CredentialKind.PASSWORD) as ticket:
        if ticket.refused is not None:
            return False
        ticket.failed()
        return True


async def _eventually(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(DEADLINE):
        while not condition():
            await asyncio.sleep(0.01)


async def test_failures_at_one_node_lock_the_address_out_at_the_other(postgres_url: str) -> None:
    async with node(postgres_url, "node-a") as a, node(postgres_url, "node-b") as b:
        assert [_guess(a.brake, "192.0.2.9") for _ in range(4)] == [True, True, True, False]
        # Node B never saw a guess from this address, yet refuses it once the counts arrive.
        await _eventually(lambda: not _probe(b.brake))
        assert not _guess(b.brake, "192.0.2.9")
        # Another address is not touched by it.
        assert _guess(b.brake, "198.51.100.1")
        # nochg floods: one budget per host across the nodes.
        a.nochg.count("host:1")
        b.nochg.count("host:1")
        await _eventually(lambda: a.nochg.exceeded("host:1") and b.nochg.exceeded("host:1"))
        assert not b.nochg.exceeded("host:2")


async def test_a_node_that_starts_later_knows_the_lock(postgres_url: str) -> None:
    async with node(postgres_url, "node-a") as a:
        for _ in range(3):
            _guess(a.brake, "192.0.2.10")
        await a.exchange.stop()  # flushed: the counts are in the database
        async with node(postgres_url, "node-c") as c:
            assert not _probe(c.brake, "192.0.2.10")
            assert _probe(c.brake, "192.0.2.11")


def _probe(brake: Brake, source: str = "192.0.2.9") -> bool:
    """Whether a check from ``source`` would run (the reservation is given back unused)."""
    with brake.reserve(source=source, login="alice", kind=CredentialKind.PASSWORD) as ticket:
        return ticket.refused is None


class _Wire:
    """Two nodes' sharing, delivered by hand: what each told, the other hears on ``deliver``."""

    def __init__(self) -> None:
        self.receivers: list[Receiver] = []
        self.told: list[tuple[int, Kind, str, float, float | None]] = []

    def end(self) -> _End:
        self.receivers.append(lambda *_: None)
        return _End(self, len(self.receivers) - 1)

    def deliver(self) -> None:
        told, self.told = self.told, []
        for sender, kind, key, at, until in told:
            self.receivers[1 - sender](kind, key, at, until)


@dataclass
class _End:
    wire: _Wire
    index: int

    def receive(self, scope: Scope, receiver: Receiver) -> None:
        if scope is Scope.BRAKE:
            self.wire.receivers[self.index] = receiver

    def tell(
        self, scope: Scope, kind: Kind, key: str, *, at: float, until: float | None = None
    ) -> None:
        self.wire.told.append((self.index, kind, key, at, until))


def test_failures_split_over_nodes_before_either_knew_still_lock_for_the_lockout() -> None:
    now = [1000.0]
    wire = _Wire()
    brakes = [
        Brake(
            limits=LIMITS,
            state=SharedBrakeState(limits=LIMITS, exchange=wire.end(), clock=lambda: now[0]),
            clock=lambda: now[0],
        )
        for _ in range(2)
    ]
    # Two guesses at each node before any count crosses: neither node reached 3 alone.
    assert [_guess(brakes[i % 2], "192.0.2.9") for i in range(4)] == [True] * 4
    wire.deliver()
    # Past the window (but inside the lock-out) both still refuse: each locked on hearing.
    now[0] += LIMITS.window + 1
    assert not _probe(brakes[0]) and not _probe(brakes[1])
    now[0] += LIMITS.lockout
    assert _probe(brakes[0]) and _probe(brakes[1])


async def _check(brake: Brake, source: str, *, right: bool = False) -> bool:
    """A password check as the server makes it (``async with``); False when refused."""
    ticket = brake.reserve(source=source, login="alice", kind=CredentialKind.PASSWORD)
    async with ticket:
        if ticket.refused is not None:
            return False
        if right:
            ticket.succeeded()
        else:
            ticket.failed()
        return True


async def test_an_attacked_login_has_one_gate_and_first_guess_across_nodes(
    postgres_url: str,
) -> None:
    async with node(postgres_url, "node-a") as a, node(postgres_url, "node-b") as b:
        for n in range(3):
            _guess(a.brake, f"192.0.2.{n}")
        await _eventually(lambda: b.state.failures("login:alice", since=0) >= 3)
        # From here B hears no counts: only the claims in the database tie the nodes.
        await b.exchange.stop()
        assert await _check(a.brake, "203.0.113.1")  # a new address's first guess
        # Clean at B, but its first guess was at A: a failing address, through the gate.
        assert await _check(b.brake, "203.0.113.1")
        # A's own gate is open, but B opened the login's gate a moment ago.
        assert not await _check(a.brake, "192.0.2.0")
        assert await _check(b.brake, "203.0.113.2")  # another new address: its first guess
        # The owner's success gives the first guess back: the owner gets through at B too.
        assert await _check(a.brake, "198.51.100.7", right=True)
        assert await _check(b.brake, "198.51.100.7", right=True)
