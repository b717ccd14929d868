"""Management of zones: add, remove, list, and the record types owners may set."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from homing.core.admin_base import AdminBase, check_ttl
from homing.core.journal import JournalKind
from homing.core.zone_rows import check_zone_free, insert_zone
from homing.domain.names import normalize_name
from homing.domain.records import RecordType
from homing.errors import ConflictError, InputError, NotFoundError
from homing.store.rows import ZoneRow
from homing.store.transaction import WriteTransaction

DEFAULT_SOA_TTL = 3600


def email_to_rname(email: str) -> str:
    """``hostmaster@example.net`` → ``hostmaster.example.net.`` (dots in the local part escaped)."""
    local, sep, domain = email.partition("@")
    if not sep or not local or not domain:
        raise InputError(f"not an email address: {email!r}")
    if not re.fullmatch(r"[A-Za-z0-9._+-]{1,64}", local):
        raise InputError(f"unsupported characters in email address {email!r}")
    return local.replace(".", "\\.") + "." + normalize_name(domain)


class ZoneAdmin(AdminBase):
    """The zone use cases of ``Admin``."""

    async def add_zone(
        self,
        name: str,
        *,
        nameservers: list[str] | None = None,
        email: str | None = None,
        ttl: int = DEFAULT_SOA_TTL,
    ) -> ZoneRow:
        zone = normalize_name(name)
        ns = [normalize_name(n) for n in nameservers] if nameservers else [f"ns1.{zone}"]
        rname = email_to_rname(email) if email else f"hostmaster.{zone}"
        check_ttl(ttl)
        now = datetime.now(UTC)

        async def create(txn: WriteTransaction) -> ZoneRow | None:
            await check_zone_free(txn, zone)
            zone_id, serial = await insert_zone(
                txn, zone=zone, nameservers=ns, rname=rname, soa_ttl=ttl, now=now
            )
            await self._journal(txn, zone_id, zone, serial, JournalKind.ZONE, "", now)
            return await txn.zone(zone)

        row = await self._writes.transaction(create)
        assert row is not None
        return row

    async def remove_zone(self, name: str, *, force: bool = False) -> None:
        zone = normalize_name(name)
        now = datetime.now(UTC)

        async def remove(txn: WriteTransaction) -> None:
            row = await txn.zone(zone)
            if row is None:
                raise NotFoundError(f"no zone {zone}")
            hosts = await txn.hosts(zone_id=row.id)
            if hosts and not force:
                raise ConflictError(
                    f"zone {zone} still has {len(hosts)} host(s); remove them or use --force"
                )
            # Journal first: deleting the zone cascades to its journal rows, and SQLite would
            # hand the freed highest id to the next insert, which a follower has already seen.
            await self._journal(txn, None, zone, row.serial, JournalKind.REMOVED, "", now)
            await txn.delete_row("zones", row.id)

        await self._writes.transaction(remove)

    async def zones(self) -> list[ZoneRow]:
        return await self._store.zones()

    async def set_record_types(self, name: str, types: list[str]) -> ZoneRow:
        """Which record types owners may set on their hosts in this zone (A, AAAA, TXT always)."""
        zone = normalize_name(name)
        allowed = {t.value for t in RecordType}
        chosen = ["A", "AAAA", "TXT"]
        for text in types:
            rtype = text.strip().upper()
            if rtype not in allowed:
                raise InputError(f"unknown record type {text[:10]!r}", field="record_types")
            if rtype not in chosen:
                chosen.append(rtype)

        async def choose(txn: WriteTransaction) -> ZoneRow | None:
            row = await txn.zone(zone)
            if row is None:
                raise NotFoundError(f"no zone {zone}")
            await txn.update_row("zones", row.id, record_types=" ".join(chosen))
            return await txn.zone(zone)

        updated = await self._writes.transaction(choose)
        assert updated is not None
        return updated
