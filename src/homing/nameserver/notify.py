"""NOTIFY (RFC 1996): tell each secondary of a zone that the zone changed, right away.

The notifier listens to the same change events as the DNS view. Per zone at
most one round of NOTIFYs is in flight; changes that arrive meanwhile cause
one more round when it ends, so a burst of updates costs a couple of NOTIFYs,
not one per update. Each NOTIFY is retried a few times over UDP until the
secondary answers (RFC 1996 section 3.6), signed with the secondary's key
when it has one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode

from homing.core.tsig import StoreKeyring
from homing.domain.records import ViewEvent, ZoneChange, ZoneSnapshot
from homing.nameserver.view import ZoneLookup
from homing.store.store import Store

log = logging.getLogger(__name__)

ATTEMPTS = 5
TIMEOUT_SECONDS = 2.0


Target = tuple[str, str, int]
"""(zone, address, port) of one secondary."""


class Notifier:
    """Sends NOTIFY to a zone's secondaries after each change (see the module docstring).

    Coalescing is per secondary, so one that does not answer (and is retried)
    never delays the NOTIFY of the others.
    """

    def __init__(self, *, store: Store, view: ZoneLookup, keyring: StoreKeyring) -> None:
        self._store = store
        self._view = view
        self._keyring = keyring
        self._tasks: dict[str | Target, asyncio.Task[None]] = {}
        self._again: set[str | Target] = set()
        self._keys: dict[Target, str | None] = {}
        self.sent = 0
        """NOTIFYs a secondary answered (for /metrics)."""
        self.failed = 0
        """NOTIFYs given up: no answer after every try, or the TSIG key is gone."""

    def on_event(self, event: ViewEvent) -> None:
        if isinstance(event, ZoneChange | ZoneSnapshot):
            self._start(event.zone, self._fan_out(event.zone))

    def _start(self, key: str | Target, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` for ``key`` unless it already runs; then it runs once more after."""
        if key in self._tasks:
            self._again.add(key)
            work.close()
            return
        task = asyncio.get_running_loop().create_task(self._repeat(key, work))
        self._tasks[key] = task
        task.add_done_callback(lambda _: self._tasks.pop(key, None))

    async def _repeat(self, key: str | Target, work: Coroutine[Any, Any, None]) -> None:
        while True:
            self._again.discard(key)
            await work
            if key not in self._again:
                return
            work = self._fan_out(key) if isinstance(key, str) else self._send(key)

    async def _fan_out(self, zone: str) -> None:
        try:
            secondaries = await self._store.secondaries(zone=zone)
        except Exception:
            log.exception("cannot read the secondaries of %s", zone)
            return
        for secondary in secondaries:
            target = (zone, secondary.address, secondary.port)
            self._keys[target] = secondary.tsig_key
            self._start(target, self._send(target))

    async def _send(self, target: Target) -> None:
        zone, address, port = target
        await self._notify(zone, address, port, self._keys.get(target))

    async def _notify(self, zone: str, address: str, port: int, key_name: str | None) -> None:
        message = dns.message.make_query(zone, "SOA")
        message.set_opcode(dns.opcode.NOTIFY)
        message.flags = dns.flags.AA | dns.opcode.to_flags(dns.opcode.NOTIFY)
        data = self._view.find_zone(dns.name.from_text(zone))
        serial = data.serial if data else None
        if data is not None:
            message.answer.append(data.soa)  # the new serial, as a hint (RFC 1996 3.7)
        if key_name is not None:
            key = self._keyring(message, dns.name.from_text(key_name))
            if key is None:
                log.error("NOTIFY of %s to %s: TSIG key %s is gone", zone, address, key_name)
                self.failed += 1
                return
            message.use_tsig(key)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = await dns.asyncquery.udp(
                    message, address, port=port, timeout=TIMEOUT_SECONDS
                )
            except (dns.exception.DNSException, OSError) as exc:
                log.debug("NOTIFY %s to %s attempt %d: %s", zone, address, attempt, exc)
                continue
            self.sent += 1
            log.info(
                "NOTIFY %s serial %s to %s port %d: %s",
                zone,
                serial,
                address,
                port,
                dns.rcode.to_text(response.rcode()),
            )
            return
        self.failed += 1
        log.warning(
            "NOTIFY %s to %s port %d: no answer after %d tries",
            zone,
            address,
            port,
            ATTEMPTS,
        )

    async def stop(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
