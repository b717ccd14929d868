"""The RFC 2136 use case: who may send this update, then the writer applies it atomically.

A signed update may change only what its key is scoped to; an unsigned one is
accepted only from the address ranges the operator lists (``rfc2136_unsigned_from``),
and then for the default record types. Refusals are kept in the history like
any other refused update. A "delete every RRset at a name" is narrowed to the
types the key may change, so a key never removes records it does not own.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Sequence
from dataclasses import replace

from homing.core.brake import Brake, CredentialKind, Reservation
from homing.core.dynamic_update import ZoneUpdate
from homing.core.refusals import Refusals
from homing.core.tsig import DEFAULT_TYPES, KeyScope
from homing.core.writer import ChangeWriter
from homing.domain.dnsupdate import UpdateRcode, UpdateRR, prescan
from homing.domain.outcomes import FrontDoor, UpdateOutcome
from homing.store.rows import TsigKeyRow
from homing.store.store import Store

MAX_UPDATE_RRS = 200
REPLAY_WINDOW_SECONDS = 600.0
"""Twice TSIG's usual fudge (300 s): a signature older than that fails the time check anyway."""
MAX_REMEMBERED_SIGNATURES = 100_000

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ReplayGuard:
    """Remembers the MACs of accepted signed updates, so a captured one cannot be sent again.

    TSIG's time check (RFC 8945 5.2.3) leaves a window of the fudge either
    side; within it an update seen once is refused the second time.
    """

    def __init__(self, *, window: float = REPLAY_WINDOW_SECONDS) -> None:
        self._window = window
        self._seen: dict[bytes, float] = {}

    def first_time(self, mac: bytes) -> bool:
        now = time.monotonic()
        if len(self._seen) >= MAX_REMEMBERED_SIGNATURES:
            self._seen = {m: t for m, t in self._seen.items() if t > now - self._window}
        seen_at = self._seen.get(mac)
        if seen_at is not None and seen_at > now - self._window:
            return False
        self._seen[mac] = now
        return True


class TsigCheck:
    """One TSIG verification under the brake (``nameserver.engine.TsigCheck``).

    A key is a strong secret, like a token: its failures are counted per source
    address only, so a correct signature from another address is never refused.
    Failures and refusals go to the history and the log, aggregated per source and
    window. No delay is added to a failing answer: the DNS server answers from one
    loop, and the lock-out after ``auth_max_failures`` bounds the checks.
    """

    def __init__(self, reservation: Reservation, refusals: Refusals) -> None:
        self._reservation = reservation.__enter__()
        self._refusals = refusals
        self._source = reservation.source

    def admitted(self) -> bool:
        refused = self._reservation.refused
        if refused is None:
            return True
        self._record(UpdateOutcome.ABUSE, f"REFUSED: TSIG not checked, {refused.value}")
        return False

    def failed(self, error: str) -> None:
        self._reservation.failed()
        self._record(UpdateOutcome.BADAUTH, f"NOTAUTH: TSIG {error}")

    def close(self) -> None:
        self._reservation.__exit__(None, None, None)

    def _record(self, outcome: UpdateOutcome, detail: str) -> None:
        self._refusals.record(
            front_door=FrontDoor.RFC2136,
            source=self._source,
            credential="tsig",
            outcome=outcome,
            detail=detail,
        )


class DynamicUpdates:
    """Authorises RFC 2136 updates and hands them to the writer."""

    def __init__(
        self,
        *,
        store: Store,
        writer: ChangeWriter,
        brake: Brake,
        refusals: Refusals,
        unsigned_from: Sequence[str] = (),
    ) -> None:
        self._store = store
        self._writer = writer
        self._brake = brake
        self._refusals = refusals
        self._unsigned_from: list[Network] = [
            ipaddress.ip_network(n, strict=False) for n in unsigned_from
        ]
        self._replays = ReplayGuard()

    def tsig_check(self, source: str) -> TsigCheck:
        """The brake's place for one TSIG verification from ``source`` (every signed message:
        UPDATE, NOTIFY, zone transfers), taken before the key is looked up."""
        return TsigCheck(
            self._brake.reserve(source=source, login=None, kind=CredentialKind.TOKEN),
            self._refusals,
        )

    async def apply(
        self,
        *,
        zone: str,
        prerequisites: Sequence[UpdateRR],
        updates: Sequence[UpdateRR],
        key: TsigKeyRow | None,
        source: str,
        mac: bytes | None = None,
    ) -> UpdateRcode:
        """The rcode for the UPDATE; NOERROR only once the change is committed and served.

        ``mac`` is the request's TSIG MAC (signed updates), for replay detection.
        """
        if await self._store.find_zone(zone) is None:
            return UpdateRcode.NOTAUTH  # RFC 2136 3.1.1: checked before anything else
        if len(prerequisites) + len(updates) > MAX_UPDATE_RRS:
            return self._refuse(zone, key, source, "too many records in one update")
        failed = prescan(zone, prerequisites, updates)
        if failed is not None:
            return failed
        if self._brake.source_locked(source):
            # A signed update got here through the brake (``tsig_check``); this refuses the
            # unsigned ones from an address locked out for failures at any front door.
            return self._refuse(zone, key, source, "locked out after repeated failures")
        if key is None:
            if not self._unsigned_allowed(source):
                return self._refuse(zone, None, source, "unsigned update not allowed from here")
            scope = KeyScope(zone=zone, names=(), types=DEFAULT_TYPES)
        elif key.zone != zone:
            return self._refuse(zone, key, source, f"key is for zone {key.zone}")
        elif mac is None or not self._replays.first_time(mac):
            return self._refuse(zone, key, source, "replayed signed update")
        else:
            scope = KeyScope.of(key)
        narrowed = _narrow(updates, scope)
        for rr in narrowed:
            if not scope.allows(rr.name, rr.rtype):
                return self._refuse(zone, key, source, f"{rr.name} {rr.rtype} is outside the scope")
        plan = await self._writer.submit_zone_update(
            ZoneUpdate(
                zone=zone,
                prerequisites=prerequisites,
                updates=narrowed,
                credential=f"tsig:{key.name}" if key else f"unsigned:{source}",
                source=source,
            )
        )
        return plan.rcode

    def _unsigned_allowed(self, source: str) -> bool:
        try:
            address = ipaddress.ip_address(source)
        except ValueError:
            return False
        return any(address in network for network in self._unsigned_from)

    def _refuse(self, zone: str, key: TsigKeyRow | None, source: str, why: str) -> UpdateRcode:
        self._refusals.record(
            front_door=FrontDoor.RFC2136,
            source=source,
            fqdn=zone,
            credential=f"tsig:{key.name}" if key else "unsigned",
            detail=f"REFUSED: {why}",
        )
        return UpdateRcode.REFUSED


def _narrow(updates: Sequence[UpdateRR], scope: KeyScope) -> list[UpdateRR]:
    """Each "delete all RRsets at NAME" becomes one delete per type the scope allows."""
    narrowed: list[UpdateRR] = []
    for rr in updates:
        if rr.rclass == "ANY" and rr.rtype == "ANY" and scope.allows_name(rr.name):
            narrowed.extend(replace(rr, rtype=rtype) for rtype in scope.types)
        else:
            narrowed.append(rr)
    return narrowed
