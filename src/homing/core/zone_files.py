"""Moving zones in and out: ``homing zone import`` (bulk hosts) and ``homing zone export``.

An import is one write transaction: the zone (created from the file's SOA
and NS if it is new), every host with its first update token, every record,
the serial bump and a ``zone`` journal entry. A running server follows that
entry by reloading the whole zone from the committed state, so it serves all
or nothing of the import; a secondary then gets the zone by AXFR (IXFR needs
a diff, and a diff of 100,000 hosts is the zone). Rows are written with one
executemany per table and ids assigned under the write lock, so 100,000
hosts cost a handful of statements (bench/zone_import.py).

Nothing is written when anything is wrong: the file is read and planned
before the transaction, and every name is checked against what the zone
already holds inside it.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from homing.core.credentials import new_token, token_hash, token_prefix
from homing.core.journal import JournalKind
from homing.core.zone_rows import check_zone_free, insert_zone
from homing.domain.masterfile import read_master_file
from homing.domain.names import is_subdomain, normalize_name
from homing.domain.records import RRset, ZoneSnapshot
from homing.domain.zone_import import ImportPlan, plan_import
from homing.errors import ConflictError, NotFoundError
from homing.store.store import Store
from homing.store.transaction import WriteTransaction

log = logging.getLogger(__name__)

MAX_LISTED_CONFLICTS = 5
BULK_CACHE_MIB = 64
NAME_TYPES = frozenset({"CNAME", "MX", "NS", "PTR", "SRV", "DNAME"})


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportResult:
    zone: str
    created_zone: bool
    tokens: list[tuple[str, str]]
    """(fqdn, update token) per new host, in file order; the tokens exist nowhere else."""
    records: int
    zone_records: int
    skipped: Counter[str]


class ZoneFiles:
    """Import and export of master files over one store; ``origin`` marks our journal rows."""

    def __init__(self, *, store: Store, origin: str) -> None:
        self._store = store
        self._origin = origin

    async def import_text(self, zone_name: str, text: str, *, owner: str) -> ImportResult:
        zone = normalize_name(zone_name)
        with _collector_paused():
            plan = plan_import(zone, read_master_file(text, zone=zone))
            tokens = [(host.fqdn, new_token()) for host in plan.hosts]
        now = datetime.now(UTC)
        async with self._store.write() as txn:
            user = await self._store.find_user(owner)
            if user is None:
                raise NotFoundError(f"no user {owner}")
            zone_id, created = await self._zone(txn, plan, now)
            await self._check_names(txn, zone_id, plan)
            async with txn.page_cache(BULK_CACHE_MIB):
                await self._insert(txn, plan, tokens, zone_id=zone_id, user_id=user.id, now=now)
            serial = await txn.bump_serial(zone_id)
            await txn.append_journal(
                zone_id=zone_id,
                zone=zone,
                serial=serial,
                kind=JournalKind.ZONE.value,
                origin=self._origin,
                payload="",
                at=now,
            )
        log.info("imported %d hosts into %s (serial %d)", len(tokens), zone, serial)
        return ImportResult(
            zone=zone,
            created_zone=created,
            tokens=tokens,
            records=plan.record_count,
            zone_records=len(plan.zone_rrsets),
            skipped=plan.skipped,
        )

    async def _zone(
        self, txn: WriteTransaction, plan: ImportPlan, now: datetime
    ) -> tuple[int, bool]:
        row = await txn.zone(plan.zone)
        if row is not None:
            return row.id, False
        await check_zone_free(txn, plan.zone)
        for name in await txn.zone_names():
            if is_subdomain(name, plan.zone):
                raise ConflictError(f"zone {plan.zone} would contain our zone {name}")
        apex = plan.apex
        if apex is None:
            zone_id, _ = await insert_zone(
                txn,
                zone=plan.zone,
                nameservers=[f"ns1.{plan.zone}"],
                rname=f"hostmaster.{plan.zone}",
                soa_ttl=3600,
                now=now,
            )
            return zone_id, True
        zone_id, _ = await insert_zone(
            txn,
            zone=plan.zone,
            nameservers=list(apex.nameservers),
            rname=apex.rname,
            soa_ttl=apex.soa_ttl,
            now=now,
            refresh=apex.refresh,
            retry=apex.retry,
            expire=apex.expire,
            minimum=apex.minimum,
            serial_after=apex.serial,
        )
        return zone_id, True

    @staticmethod
    async def _check_names(txn: WriteTransaction, zone_id: int, plan: ImportPlan) -> None:
        used = await txn.names_in_use(zone_id)
        wanted = {r.name for h in plan.hosts for r in h.rrsets} | {h.fqdn for h in plan.hosts}
        wanted |= {r.name for r in plan.zone_rrsets}
        clashes = sorted(wanted & used, key=lambda n: plan.lines.get(n, 0))
        if clashes:
            shown = ", ".join(f"{n} (line {plan.lines.get(n, '?')})" for n in clashes[:5])
            more = f" and {len(clashes) - 5} more" if len(clashes) > MAX_LISTED_CONFLICTS else ""
            raise ConflictError(f"already in zone {plan.zone}: {shown}{more}; nothing imported")
        for other in await txn.zone_names():
            if other != plan.zone and is_subdomain(other, plan.zone):
                inside = sorted(n for n in wanted if is_subdomain(n, other))
                if inside:
                    raise ConflictError(
                        f"{inside[0]} (line {plan.lines.get(inside[0], '?')}) belongs to our "
                        f"zone {other}; nothing imported"
                    )

    @staticmethod
    async def _insert(
        txn: WriteTransaction,
        plan: ImportPlan,
        tokens: list[tuple[str, str]],
        *,
        zone_id: int,
        user_id: int,
        now: datetime,
    ) -> None:
        first_host = await txn.max_id("hosts") + 1
        hosts: list[dict[str, object]] = []
        token_rows: list[dict[str, object]] = []
        records: list[dict[str, object]] = []
        for offset, (host, (_, token)) in enumerate(zip(plan.hosts, tokens, strict=True)):
            host_id = first_host + offset
            hosts.append(
                {
                    "id": host_id,
                    "zone_id": zone_id,
                    "owner_id": user_id,
                    "fqdn": host.fqdn,
                    "ttl": host.ttl,
                    "wildcard": host.wildcard,
                    "offline": False,
                    "created_at": now,
                    "nochg_count": 0,
                    "notes": "",
                }
            )
            token_rows.append(
                {
                    "token_hash": token_hash(token),
                    "prefix": token_prefix(token),
                    "user_id": user_id,
                    "host_id": host_id,
                    "label": "imported",
                    "created_at": now,
                }
            )
            records.extend(_record_rows(zone_id, host_id, host.rrsets))
        records.extend(_record_rows(zone_id, None, plan.zone_rrsets))
        await txn.insert_many("hosts", hosts)
        await txn.insert_many("tokens", token_rows)
        await txn.insert_many("records", records)

    async def export_text(self, zone_name: str) -> str:
        """The zone as a master file: ``$ORIGIN``, SOA, NS, then every RRset by name."""
        zone = normalize_name(zone_name)
        async with self._store.read() as txn:
            snapshot = await txn.zone_snapshot(zone)
        if snapshot is None:
            raise NotFoundError(f"no zone {zone}")
        return master_text(snapshot)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a file becomes hundreds of thousands of objects.

    None of them form cycles, yet each allocation burst triggers full
    collections that walk all of them again: half the planning time of a
    100,000-host file (bench/zone_import.py). Reference counting still frees.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _record_rows(
    zone_id: int, host_id: int | None, rrsets: tuple[RRset, ...]
) -> list[dict[str, object]]:
    return [
        {
            "zone_id": zone_id,
            "host_id": host_id,
            "name": rrset.name,
            "rtype": rrset.rtype,
            "ttl": rrset.ttl,
            "rdata": rdata,
        }
        for rrset in rrsets
        for rdata in rrset.rdatas
    ]


def _relative(name: str, zone: str) -> str:
    if name == zone:
        return "@"
    return name[: -len(zone) - 1] if name.endswith("." + zone) else name


def master_text(snapshot: ZoneSnapshot) -> str:
    """A master file that BIND's and Knot's checkers accept and ``import_text`` reads back."""
    zone = snapshot.zone
    origin = dns.name.from_text(zone)
    soa = snapshot.soa
    lines = [
        f"; zone {zone} exported by Homing, serial {soa.serial}",
        f"$ORIGIN {zone}",
        f"$TTL {soa.ttl}",
        f"@\t{soa.ttl}\tIN\tSOA\t{_relative(soa.mname, zone)} {_relative(soa.rname, zone)} "
        f"{soa.serial} {soa.refresh} {soa.retry} {soa.expire} {soa.minimum}",
    ]
    lines += [f"@\t{snapshot.ns_ttl}\tIN\tNS\t{_relative(ns, zone)}" for ns in snapshot.nameservers]
    for rrset in sorted(snapshot.rrsets, key=lambda r: (r.name.split(".")[::-1], r.rtype)):
        if not rrset.rdatas:
            continue
        owner = _relative(rrset.name, zone)
        for rdata in rrset.rdatas:
            text = rdata
            if rrset.rtype in NAME_TYPES:
                parsed = dns.rdata.from_text(
                    dns.rdataclass.IN, dns.rdatatype.from_text(rrset.rtype), rdata, origin=None
                )
                text = parsed.to_text(origin=origin, relativize=True)
            lines.append(f"{owner}\t{rrset.ttl}\tIN\t{rrset.rtype}\t{text}")
    return "\n".join(lines) + "\n"
