"""What the management use cases share: the store, the write path, the journal, a host's removal.

Each use case is one write transaction on its ``WritePath``: the writer's
inside ``homing serve`` (so the change is in DNS when the call returns), one
of its own in the CLI. Whatever changes what DNS answers (a zone created or
removed, a host's records deleted) is appended to the journal in the same
transaction; the writer turns it into view events, and a running server
follows the CLI's entries within its journal poll interval.
"""

from __future__ import annotations

from datetime import UTC, datetime

from homing.core.credentials import token_hash, token_prefix
from homing.core.journal import JournalKind, encode_change
from homing.core.write_path import DirectWrites, WritePath
from homing.domain.edits import group_records
from homing.domain.names import is_subdomain
from homing.domain.records import RRset, ZoneChange
from homing.errors import InputError, NotFoundError
from homing.store.rows import HostRow, ZoneRow
from homing.store.store import Store
from homing.store.transaction import WriteTransaction

MIN_TTL, MAX_TTL = 1, 86400


def check_ttl(ttl: int) -> int:
    if not MIN_TTL <= ttl <= MAX_TTL:
        raise InputError(f"TTL must be between {MIN_TTL} and {MAX_TTL} seconds, not {ttl}")
    return ttl


class AdminBase:
    """The store, this process's journal ``origin`` and the ``WritePath`` of the use cases."""

    def __init__(self, *, store: Store, origin: str, writes: WritePath | None = None) -> None:
        self._store = store
        self._origin = origin
        self._writes = writes or DirectWrites(store)

    async def _zone_for(self, txn: WriteTransaction, name: str) -> ZoneRow:
        best: str | None = None
        for zone in await txn.zone_names():
            if is_subdomain(name, zone) and (best is None or len(zone) > len(best)):
                best = zone
        if best is None:
            raise NotFoundError(f"{name} is in none of our zones (add one with `homing zone add`)")
        zone_row = await txn.zone(best)
        assert zone_row is not None
        return zone_row

    async def _insert_token(
        self, txn: WriteTransaction, token: str, *, user_id: int, host_id: int | None, label: str
    ) -> None:
        await txn.insert(
            "tokens",
            token_hash=token_hash(token),
            prefix=token_prefix(token),
            user_id=user_id,
            host_id=host_id,
            label=label,
            created_at=datetime.now(UTC),
        )

    async def _delete_host(self, txn: WriteTransaction, host: HostRow, now: datetime) -> None:
        """Delete a host; its records leave DNS through a journaled change."""
        records = (await txn.records_for_hosts([host.id])).get(host.id, [])
        await txn.delete_row("hosts", host.id)
        if not records:
            return
        old = group_records((r.name, r.rtype, r.ttl, r.rdata) for r in records)
        serial = await txn.bump_serial(host.zone_id)
        change = ZoneChange(
            zone=host.zone,
            serial=serial,
            rrsets=tuple(RRset(name, rtype, 0, ()) for name, rtype in old),
            removed=tuple(old.values()),
        )
        await self._journal(
            txn, host.zone_id, host.zone, serial, JournalKind.CHANGE, encode_change(change), now
        )

    async def _journal(
        self,
        txn: WriteTransaction,
        zone_id: int | None,
        zone: str,
        serial: int,
        kind: JournalKind,
        payload: str,
        now: datetime,
    ) -> None:
        await txn.append_journal(
            zone_id=zone_id,
            zone=zone,
            serial=serial,
            kind=kind.value,
            origin=self._origin,
            payload=payload,
            at=now,
        )
