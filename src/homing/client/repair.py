"""At start-up, compare what the provider publishes with what the state file says we pushed.

The state file lets the client skip updates the provider already has; but
a record can change behind its back (edited in a web UI, a restored zone,
a provider that lost it). So before trusting the state, each name is read
back: through the provider's API where it has one that reads records
(``RecordReader``, e.g. Cloudflare), else by a DNS query to its
authoritative server. A family that differs is forgotten, and the normal
rules push it again. A read that fails trusts the state: repair is a
second opinion, never a reason to hold an update back.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from homing.client.addresses import Family
from homing.client.config import Target
from homing.client.errors import LookupProblem
from homing.client.lookup import LOOKUP_ERRORS, resolve, server_for
from homing.client.scheduler import Pusher
from homing.client.state import TargetState

log = logging.getLogger(__name__)


@runtime_checkable
class RecordReader(Protocol):
    """A provider whose API can read a name's records (rather than asking DNS)."""

    async def published(
        self, name: str, families: frozenset[Family]
    ) -> dict[Family, frozenset[str]]:
        """Each family's addresses as the provider holds them; LookupProblem on failure."""
        ...


def stale_families(state: TargetState, found: Mapping[Family, frozenset[str]]) -> list[Family]:
    """The families whose published address is not exactly what was ``found``."""
    return [
        family
        for family, address in state.published.items()
        if family in found and found[family] != frozenset({str(address)})
    ]


async def provider_view(target: Target, reader: object) -> dict[Family, frozenset[str]]:
    """What the provider publishes for ``target``, by its API or by DNS."""
    if isinstance(reader, RecordReader):
        return await reader.published(target.name, target.families)
    return await resolve(target, await server_for(target))


async def repair(pusher: Pusher) -> list[Family]:
    """Forget the stale families of ``pusher``'s target; returns them."""
    target, state = pusher.target, pusher.state
    if not state.published.items() or state.stopped:
        return []  # nothing believed published, or nothing we may push anyway
    try:
        found = await provider_view(target, pusher.provider)
    except (*LOOKUP_ERRORS, LookupProblem) as exc:
        log.warning("%s: cannot read what the provider publishes (%s)", target.key, exc)
        return []
    stale = stale_families(state, found)
    for family in stale:
        shown = ",".join(sorted(found[family])) or "nothing"
        log.warning(
            "%s: the provider publishes %s for %s, not %s: repairing",
            target.key,
            shown,
            family.record_type,
            state.published.get(family),
        )
    if stale:
        pusher.forget(stale)
    return stale
