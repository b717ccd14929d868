"""``homing client check``: does each name resolve, at its authoritative servers, to us?

The question users otherwise answer by hand from another network; the
answers come from ``homing.client.lookup``, so a cache in between cannot
hide a stale record.
"""

from __future__ import annotations

from dataclasses import dataclass

from homing.client.addresses import Addresses, Family
from homing.client.config import Target
from homing.client.errors import LookupProblem
from homing.client.lookup import LOOKUP_ERRORS, resolve, server_for


@dataclass(frozen=True)
class NameCheck:
    """What one name resolves to, per family, and whether that is what was detected."""

    target: Target
    server: str
    found: dict[Family, frozenset[str]]
    problem: str | None
    detected: Addresses

    @property
    def ok(self) -> bool:
        if self.problem is not None:
            return False
        return all(
            self.found.get(f) == frozenset({str(a)})
            for f, a in self.target.wanted(self.detected).items()
        )


async def check_name(target: Target, detected: Addresses) -> NameCheck:
    """Resolve ``target``'s name for each of its families; never raises for DNS trouble."""
    shown = "-"
    try:
        server = await server_for(target)
        shown = f"{server[0]}:{server[1]}" if server[1] != 53 else server[0]
        found = await resolve(target, server)
    except (*LOOKUP_ERRORS, LookupProblem) as exc:
        return NameCheck(target, shown, {}, str(exc) or type(exc).__name__, detected)
    return NameCheck(target, shown, found, None, detected)
