"""Closing a zone change inside a write transaction: serial bump and journal entry, together.

Every path that changes records (the update writer, RFC 2136) ends here, so
the serial, the IXFR diff and what other processes follow never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from homing.core.journal import JournalKind, encode_change
from homing.domain.records import RRset, ZoneChange
from homing.store.transaction import WriteTransaction


async def commit_zone_change(
    txn: WriteTransaction,
    *,
    origin: str,
    zone_id: int,
    zone: str,
    new: Iterable[RRset],
    old: Iterable[RRset | None],
    at: datetime,
) -> ZoneChange:
    """Bump the serial and journal the change; ``new`` holds the full new state of each RRset."""
    new_rrsets = tuple(new)
    serial = await txn.bump_serial(zone_id)
    change = ZoneChange(
        zone=zone,
        serial=serial,
        rrsets=new_rrsets,
        removed=tuple(rrset for rrset in old if rrset is not None and rrset.rdatas),
        added=tuple(rrset for rrset in new_rrsets if rrset.rdatas),
    )
    await txn.append_journal(
        zone_id=zone_id,
        zone=zone,
        serial=serial,
        kind=JournalKind.CHANGE.value,
        origin=origin,
        payload=encode_change(change),
        at=at,
    )
    return change
