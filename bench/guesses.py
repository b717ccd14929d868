"""How many wrong guesses per hour get checked against one account, from 1 and from N addresses.

The brake (``homing.core.brake``) is run under a simulated clock for an
hour of attack with the default settings (or those given): attackers send as
fast as the brake lets them, each address waiting out the delay its failed
answers carry, and every attempt the brake lets through to the credential
check is counted. An hour passes in well under a second, and the figures are
the brake's own arithmetic, not a guess about it. The integration tests show
the same brake in the real server over its first minutes.

With ``--nodes N`` the attack is spread over N nodes behind a load balancer
(each attempt goes to the next node), twice: with each node's brake on its
own (the budget per node) and with the counts shared as on PostgreSQL
(``homing.core.shared_counts``), each count reaching the other nodes
``--share-lag`` seconds after it happened (the exchange's 0.1 s poll plus a
commit), and an attacked login's gate opened through a claim in the shared
database (``DatabaseGates``; here a table in memory, which every node reads at
once, as the database's own transactions do).

    python bench/guesses.py [--addresses 1 1000] [--max-failures 10] [--window 300]
                            [--lockout 900] [--seconds 3600] [--nodes 1] [--share-lag 0.15]
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import json
from pathlib import Path

from homing.core.brake import Brake, BrakeLimits, BrakeState, CredentialKind, MemoryBrakeState
from homing.core.shared_counts import Kind, Receiver, Scope, SharedBrakeState

ATTEMPT_GAP = 0.01
"""Seconds between two attempts from one address when nothing slows it (a fast attacker)."""
RETRY_GAP = 5.0
"""Seconds before an address tries again after a refusal (``abuse``): faster retries only
meet the same refusal, and the gate per login is hit every time either way."""


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class LaggedSharing:
    """Counts told by one node reach the others ``lag`` simulated seconds later."""

    def __init__(self, clock: Clock, lag: float) -> None:
        self._clock = clock
        self._lag = lag
        self._receivers: list[Receiver] = []
        self._in_flight: list[tuple[float, int, int, Kind, str, float, float | None]] = []
        self._told = 0

    def node(self) -> NodeSharing:
        self._receivers.append(lambda *_: None)
        return NodeSharing(self, len(self._receivers) - 1)

    def send(self, sender: int, kind: Kind, key: str, at: float, until: float | None) -> None:
        self._told += 1
        heapq.heappush(
            self._in_flight, (self._clock.now + self._lag, self._told, sender, kind, key, at, until)
        )

    def deliver(self) -> None:
        while self._in_flight and self._in_flight[0][0] <= self._clock.now:
            _, _, sender, kind, key, at, until = heapq.heappop(self._in_flight)
            for index, receiver in enumerate(self._receivers):
                if index != sender:
                    receiver(kind, key, at, until)


class SharedGates:
    """``GateClaims`` over one table that every node sees at once (the database)."""

    def __init__(self) -> None:
        self._opened: dict[str, float] = {}

    async def claim(self, key: str, *, at: float, interval: float) -> bool:
        if at - self._opened.get(key, float("-inf")) < interval:
            return False
        self._opened[key] = at
        return True

    async def release(self, key: str) -> None:
        self._opened.pop(key, None)


class NodeSharing:
    """One node's side of ``LaggedSharing`` (a ``CountSharing``)."""

    def __init__(self, network: LaggedSharing, index: int) -> None:
        self._network = network
        self._index = index

    def receive(self, scope: Scope, receiver: Receiver) -> None:
        if scope is Scope.BRAKE:
            self._network._receivers[self._index] = receiver

    def tell(
        self, scope: Scope, kind: Kind, key: str, *, at: float, until: float | None = None
    ) -> None:
        self._network.send(self._index, kind, key, at, until)


async def attack(
    limits: BrakeLimits,
    *,
    addresses: int,
    seconds: float,
    kind: CredentialKind,
    nodes: int = 1,
    share_lag: float | None = None,
) -> dict[str, float]:
    """Checked guesses in ``seconds`` from ``addresses`` attackers at one login, and whether
    the owner, from an address of its own, still got through at the end.

    Over ``nodes`` nodes in turn; their counts shared ``share_lag`` seconds late, or with
    ``None`` not at all."""
    clock = Clock()
    network = LaggedSharing(clock, share_lag or 0.0)
    horizon = max(limits.window, limits.lockout)
    states: list[BrakeState] = [
        SharedBrakeState(limits=limits, exchange=network.node(), clock=clock)
        if share_lag is not None
        else MemoryBrakeState(horizon=horizon)
        for _ in range(nodes)
    ]
    gates = SharedGates() if share_lag is not None else None
    brakes = [Brake(limits=limits, state=state, clock=clock, gates=gates) for state in states]
    turn = 0
    ready = [(i * ATTEMPT_GAP / max(addresses, 1), i) for i in range(addresses)]
    heapq.heapify(ready)
    checked = refused = 0
    while ready:
        at, who = heapq.heappop(ready)
        if at >= seconds:
            break
        clock.now = at
        network.deliver()
        brake = brakes[turn % nodes]
        turn += 1
        login = None if kind is CredentialKind.TOKEN else "alice"
        async with brake.reserve(source=f"attacker-{who}", login=login, kind=kind) as ticket:
            if ticket.refused is not None:
                refused += 1
                heapq.heappush(ready, (at + RETRY_GAP, who))
                continue
            delay = ticket.failed()
        checked += 1
        heapq.heappush(ready, (at + max(delay, ATTEMPT_GAP), who))
    clock.now = seconds
    network.deliver()
    owner_ticket = brakes[0].reserve(source="owner", login="alice", kind=CredentialKind.PASSWORD)
    async with owner_ticket as owner:
        owner_ok = owner.refused is None
    return {
        "addresses": addresses,
        "checked_per_hour": round(checked * 3600 / seconds),
        "refused_before_check": refused,
        "owner_gets_through": owner_ok,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--addresses", type=int, nargs="+", default=[1, 1000])
    parser.add_argument("--max-failures", type=int, default=10)
    parser.add_argument("--window", type=float, default=300.0)
    parser.add_argument("--lockout", type=float, default=900.0)
    parser.add_argument("--seconds", type=float, default=3600.0)
    parser.add_argument("--nodes", type=int, default=1)
    parser.add_argument("--share-lag", type=float, default=0.15)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    limits = BrakeLimits(max_failures=args.max_failures, window=args.window, lockout=args.lockout)
    results = []
    lags: list[float | None] = [None] if args.nodes == 1 else [None, args.share_lag]
    for kind in (CredentialKind.PASSWORD, CredentialKind.TOKEN):
        for addresses in args.addresses:
            for lag in lags:
                found = asyncio.run(
                    attack(
                        limits,
                        addresses=addresses,
                        seconds=args.seconds,
                        kind=kind,
                        nodes=args.nodes,
                        share_lag=lag,
                    )
                )
                how = "" if args.nodes == 1 else f" over {args.nodes} nodes"
                how += "" if lag is None or args.nodes == 1 else f", counts shared {lag} s late"
                results.append({"credential": kind.value, "nodes": args.nodes, "share_lag": lag})
                results[-1] |= found
                print(
                    f"{kind.value} guesses from {addresses} address(es){how}: "
                    f"{found['checked_per_hour']} checked per hour, "
                    f"owner from a clean address gets through: {found['owner_gets_through']}"
                )
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
