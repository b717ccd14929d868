"""How many wrong guesses per hour get checked against one account, from 1 and from N addresses.

The brake (``homing.core.brake``) is run under a simulated clock for an
hour of attack with the default settings (or those given): attackers send as
fast as the brake lets them, each address waiting out the delay its failed
answers carry, and every attempt the brake lets through to the credential
check is counted. An hour passes in well under a second, and the figures are
the brake's own arithmetic, not a guess about it. The integration tests show
the same brake in the real server over its first minutes.

    python bench/guesses.py [--addresses 1 1000] [--max-failures 10] [--window 300]
                            [--lockout 900] [--seconds 3600]
"""

from __future__ import annotations

import argparse
import heapq
import json
from pathlib import Path

from homing.core.brake import Brake, BrakeLimits, CredentialKind

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


def attack(
    limits: BrakeLimits, *, addresses: int, seconds: float, kind: CredentialKind
) -> dict[str, float]:
    """Checked guesses in ``seconds`` from ``addresses`` attackers at one login, and whether
    the owner, from an address of its own, still got through at the end."""
    clock = Clock()
    brake = Brake(limits=limits, clock=clock)
    ready = [(i * ATTEMPT_GAP / max(addresses, 1), i) for i in range(addresses)]
    heapq.heapify(ready)
    checked = refused = 0
    while ready:
        at, who = heapq.heappop(ready)
        if at >= seconds:
            break
        clock.now = at
        login = None if kind is CredentialKind.TOKEN else "alice"
        with brake.reserve(source=f"attacker-{who}", login=login, kind=kind) as ticket:
            if ticket.refused is not None:
                refused += 1
                heapq.heappush(ready, (at + RETRY_GAP, who))
                continue
            delay = ticket.failed()
        checked += 1
        heapq.heappush(ready, (at + max(delay, ATTEMPT_GAP), who))
    clock.now = seconds
    with brake.reserve(source="owner", login="alice", kind=CredentialKind.PASSWORD) as owner:
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
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    limits = BrakeLimits(max_failures=args.max_failures, window=args.window, lockout=args.lockout)
    results = []
    for kind in (CredentialKind.PASSWORD, CredentialKind.TOKEN):
        for addresses in args.addresses:
            found = attack(limits, addresses=addresses, seconds=args.seconds, kind=kind)
            results.append({"credential": kind.value, **found})
            print(
                f"{kind.value} guesses from {addresses} address(es): "
                f"{found['checked_per_hour']} checked per hour, "
                f"owner from a clean address gets through: {found['owner_gets_through']}"
            )
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
