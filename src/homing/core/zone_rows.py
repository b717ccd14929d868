"""A zone's row, created inside a write transaction: by ``homing zone add`` and by imports.

Both check the same things (no such zone, no overlap with one we serve) and
start the serial the same way, so they share these two functions.
"""

from __future__ import annotations

from datetime import datetime

from homing.domain.names import is_subdomain
from homing.errors import ConflictError
from homing.store.transaction import SERIAL_MODULO, WriteTransaction

DEFAULT_HOST_TTL = 60
"""The TTL of a new host's records (a zone's ``default_ttl``)."""


async def check_zone_free(txn: WriteTransaction, zone: str) -> None:
    """ConflictError if ``zone`` exists or overlaps a zone we serve."""
    if await txn.zone(zone) is not None:
        raise ConflictError(f"zone {zone} already exists")
    for existing in await txn.zone_names():
        if is_subdomain(zone, existing) or is_subdomain(existing, zone):
            raise ConflictError(f"zone {zone} overlaps existing zone {existing}")


async def insert_zone(
    txn: WriteTransaction,
    *,
    zone: str,
    nameservers: list[str],
    rname: str,
    soa_ttl: int,
    now: datetime,
    refresh: int = 3600,
    retry: int = 600,
    expire: int = 1209600,
    minimum: int = 60,
    serial_after: int = 0,
) -> tuple[int, int]:
    """Insert the zone's row; returns its id and serial. The caller journals.

    The serial is the Unix time, or one above ``serial_after`` (the serial a
    zone had at its previous primary) when that is higher, so that secondaries
    which knew the zone before see it grow (RFC 1982).
    """
    serial = max(int(now.timestamp()), (serial_after + 1) % SERIAL_MODULO or 1)
    zone_id = await txn.insert(
        "zones",
        name=zone,
        serial=serial,
        mname=nameservers[0],
        rname=rname,
        nameservers=" ".join(nameservers),
        default_ttl=DEFAULT_HOST_TTL,
        soa_ttl=soa_ttl,
        refresh=refresh,
        retry=retry,
        expire=expire,
        minimum=minimum,
        created_at=now,
    )
    return zone_id, serial
