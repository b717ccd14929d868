"""Secondary servers: who may transfer a zone, and whom to NOTIFY when it changes.

A secondary is an address (and the port it listens on for NOTIFY); transfers
are allowed from that address only, and, when a TSIG key is named, only when
signed with that key. The serving process reads this table when it needs it,
so ``homing secondary add`` takes effect at once.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError

from homing.config import parse_hostport
from homing.core.write_path import DirectWrites, WritePath
from homing.domain.names import normalize_name
from homing.errors import ConfigError, ConflictError, InputError, NotFoundError
from homing.store.rows import SecondaryRow
from homing.store.store import Store
from homing.store.transaction import WriteTransaction

DNS_PORT = 53


def parse_target(text: str) -> tuple[str, int]:
    """``ADDR``, ``ADDR:PORT``, ``[V6]`` or ``[V6]:PORT`` → (address, port); default port 53."""
    raw = text.strip()
    try:
        ipaddress.ip_address(raw)
    except ValueError:
        pass
    else:
        return raw, DNS_PORT
    if raw.startswith("[") and raw.endswith("]"):
        raw = f"{raw}:{DNS_PORT}"
    try:
        host, port = parse_hostport(raw, setting="secondary")
        ipaddress.ip_address(host)
    except (ConfigError, ValueError):
        raise InputError(f"not an address: {text!r} (use ADDR, ADDR:PORT or [IPv6]:PORT)") from None
    if not 0 < port < 65536:
        raise InputError(f"port out of range in {text!r}")
    return host, port


class Secondaries:
    """The management use cases for secondaries."""

    def __init__(self, *, store: Store, writes: WritePath | None = None) -> None:
        self._store = store
        self._writes = writes or DirectWrites(store)

    async def add(self, zone: str, target: str, *, tsig: str | None = None) -> SecondaryRow:
        zone_name = normalize_name(zone)
        address, port = parse_target(target)
        key_id: int | None = None
        if tsig is not None:
            key = self._store.lookup_tsig_key(normalize_name(tsig))
            if key is None:
                raise NotFoundError(
                    f"no TSIG key {normalize_name(tsig)} (add one: homing tsig add)"
                )
            key_id = key.id

        async def create(txn: WriteTransaction) -> int:
            zone_row = await txn.zone(zone_name)
            if zone_row is None:
                raise NotFoundError(f"no zone {zone_name}")
            try:
                return await txn.insert(
                    "secondaries",
                    zone_id=zone_row.id,
                    address=address,
                    port=port,
                    tsig_key_id=key_id,
                    created_at=datetime.now(UTC),
                )
            except IntegrityError:
                raise ConflictError(
                    f"{address} port {port} is already a secondary of {zone_name}"
                ) from None

        new_id = await self._writes.transaction(create)
        return next(s for s in await self._store.secondaries(zone=zone_name) if s.id == new_id)

    async def remove(self, secondary_id: int) -> None:
        async def remove(txn: WriteTransaction) -> None:
            if not await txn.delete_row("secondaries", secondary_id):
                raise NotFoundError(f"no secondary {secondary_id}")

        await self._writes.transaction(remove)

    async def list(self, *, zone: str | None = None) -> list[SecondaryRow]:
        return await self._store.secondaries(zone=normalize_name(zone) if zone else None)
