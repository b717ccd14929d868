"""One write transaction: the statements the core composes into an atomic change.

The core decides *what* changes; this module only knows *how* to write it.
Batch methods take lists so that group commit costs a handful of statements
per batch, not per update.
"""

from __future__ import annotations

import functools
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    BindParameter,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from homing.domain.records import RRset, ZoneSigning, ZoneSnapshot
from homing.store import schema as t
from homing.store import search
from homing.store.postgres import advance_sequence
from homing.store.reads import (
    acme_query,
    acme_row,
    dnssec_key_row,
    host_query,
    host_row,
    journal_row,
    zone_row,
)
from homing.store.rows import (
    AcmeAccountRow,
    DnssecKeyRow,
    HostRow,
    JournalEntry,
    NewHistory,
    RecordRow,
    ZoneRow,
)
from homing.store.snapshots import snapshot_of

SERIAL_MODULO = 2**32
ZONE_RECORDS_SQL = "SELECT name, rtype, ttl, rdata FROM records WHERE zone_id = ? ORDER BY id"
ZONE_RECORDS_SQL_POSTGRESQL = ZONE_RECORDS_SQL.replace("?", "$1")

# The statements of every update's write transaction, built once: building one per call
# (its clauses, binds and cache key) cost five times its execution (bench/README.md,
# "CPU per update"), several milliseconds of an update that arrives alone.
IDS = "ids"
LAST_JOURNAL_ID = select(func.max(t.journal.c.id))
JOURNAL_AFTER = (
    select(t.journal)
    .where(t.journal.c.id > bindparam("after"))
    .order_by(t.journal.c.id)
    .limit(bindparam("limit"))
)
HOSTS_BY_ID = host_query().where(t.hosts.c.id.in_(bindparam(IDS, expanding=True)))
FOLLOWERS_OF = (
    host_query()
    .where(t.hosts.c.follows_id.in_(bindparam(IDS, expanding=True)))
    .order_by(t.hosts.c.fqdn)
)
_IDS: BindParameter[Any] = bindparam(IDS, expanding=True)
HOSTS_AND_FOLLOWERS = (
    host_query()
    .where(t.hosts.c.id.in_(_IDS) | t.hosts.c.follows_id.in_(_IDS))
    .order_by(t.hosts.c.fqdn)
)
RECORDS_FOR_HOSTS = (
    select(t.records)
    .where(t.records.c.host_id.in_(bindparam(IDS, expanding=True)))
    .order_by(t.records.c.id)
)
DELETE_RRSET = delete(t.records).where(
    (t.records.c.name == bindparam("b_name")) & (t.records.c.rtype == bindparam("b_rtype"))
)
TOUCH_HOST = update(t.hosts).where(t.hosts.c.id == bindparam("b_id"))
COUNT_NOCHG = (
    update(t.hosts)
    .where(t.hosts.c.id == bindparam("b_id"))
    .values(nochg_count=t.hosts.c.nochg_count + bindparam("b_n"))
)
_NOW = bindparam("b_now", type_=BigInteger)
_SERIAL = t.zones.c.serial
BUMP_SERIAL = (
    update(t.zones)
    .where(t.zones.c.id == bindparam("b_zone"))
    .values(
        serial=case(
            (_SERIAL + 1 <= _NOW, _NOW),
            (_SERIAL < SERIAL_MODULO - 1, _SERIAL + 1),
            else_=1,
        )
    )
    .returning(_SERIAL)
)
"""The serial advanced in one statement (``bump_serial``): the time when the serial is
behind it, else one more, wrapping past 2**32 - 1 to 1."""
INSERTS = {name: insert(table) for name, table in t.metadata.tables.items()}
"""``insert`` of one row into each table, the columns given with the row."""
HISTORY = tuple(column.name for column in fields(NewHistory))
INLINE_STATEMENTS: frozenset[Any] = frozenset(
    {
        LAST_JOURNAL_ID,
        JOURNAL_AFTER,
        HOSTS_BY_ID,
        FOLLOWERS_OF,
        HOSTS_AND_FOLLOWERS,
        RECORDS_FOR_HOSTS,
        DELETE_RRSET,
        TOUCH_HOST,
        COUNT_NOCHG,
        BUMP_SERIAL,
        *INSERTS.values(),
    }
)
"""The statements above, which ``sqlite_writes`` runs on the driver in an inline write:
built once, so that their identity stays theirs (none built per call joins them)."""


class ReadTransaction:
    """Reads inside one transaction, so that what they return is one consistent state."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self._postgresql = conn.dialect.name == "postgresql"

    async def zone_snapshot(self, name: str) -> ZoneSnapshot | None:
        """The whole zone as the DNS view loads it."""
        zone = await self.zone(name)
        if zone is None:
            return None
        snapshot = snapshot_of(zone, await self._zone_record_rows(zone.id))
        signing = await self.zone_signing(zone.id)
        return replace(snapshot, signing=signing) if signing else snapshot

    async def zone_signing(self, zone_id: int) -> ZoneSigning | None:
        """A signed zone's keys, or None when the zone is not signed.

        The active key comes first (the one CDS names); a rollover's other key
        rides in ``others`` and signs too (``homing.dnssec.rollover``).
        """
        rows = await self.dnssec_keys(zone_id)
        if not rows:
            return None
        rows.sort(key=lambda row: row.state != "active")
        first, *rest = [ZoneSigning(row.algorithm, row.private_key.encode()) for row in rows]
        return replace(first, others=tuple(rest)) if rest else first

    async def dnssec_keys(self, zone_id: int) -> list[DnssecKeyRow]:
        """Every signing key of a zone, oldest first."""
        keys = t.dnssec_keys
        query = select(keys).where(keys.c.zone_id == zone_id).order_by(keys.c.id)
        return [dnssec_key_row(row) for row in await self.conn.execute(query)]

    async def rolling_zones(self) -> list[str]:
        """The zones in a key rollover (a key in any state but active)."""
        keys, zones = t.dnssec_keys, t.zones
        query = (
            select(zones.c.name)
            .join(keys, keys.c.zone_id == zones.c.id)
            .where(keys.c.state != "active")
            .distinct()
        )
        return sorted((await self.conn.execute(query)).scalars())

    async def max_record_ttl(self, zone_id: int) -> int:
        """The largest TTL among the zone's records (0 when it has none)."""
        ttl = t.records.c.ttl
        query = select(func.max(ttl)).where(t.records.c.zone_id == zone_id)
        return int((await self.conn.execute(query)).scalar() or 0)

    async def _zone_record_rows(self, zone_id: int) -> Iterable[Any]:
        """(name, rtype, ttl, rdata) of every record of a zone, in insertion order.

        A million hosts are two million rows: on SQLite they are fetched by the
        driver in one call, as plain tuples (4 s where SQLAlchemy's rows took 13
        s with the grouping, bench/dns_qps.py start-up), and so they are on
        PostgreSQL by asyncpg.
        """
        raw = await self.conn.get_raw_connection()
        driver = raw.driver_connection
        fetch_all = getattr(driver, "execute_fetchall", None)
        if fetch_all is not None:
            rows: Iterable[Any] = await fetch_all(ZONE_RECORDS_SQL, (zone_id,))
            return rows
        if self._postgresql and driver is not None:
            # asyncpg's records unpack like tuples; the transaction (and its snapshot)
            # is already open, begun by the zone's own read.
            rows = await driver.fetch(ZONE_RECORDS_SQL_POSTGRESQL, zone_id)
            return rows
        return await self.conn.execute(
            select(t.records.c.name, t.records.c.rtype, t.records.c.ttl, t.records.c.rdata)
            .where(t.records.c.zone_id == zone_id)
            .order_by(t.records.c.id)
        )

    async def zone_names(self) -> list[str]:
        rows = await self.conn.execute(select(t.zones.c.name).order_by(t.zones.c.name))
        return [r.name for r in rows]

    async def last_journal_id(self) -> int:
        value = (await self.conn.execute(LAST_JOURNAL_ID)).scalar()
        return int(value or 0)

    async def journal_after(self, last_id: int, *, limit: int = 1000) -> list[JournalEntry]:
        rows = await self.conn.execute(JOURNAL_AFTER, {"after": last_id, "limit": limit})
        return [journal_row(r) for r in rows]

    async def zone(self, name: str) -> ZoneRow | None:
        row = (await self.conn.execute(select(t.zones).where(t.zones.c.name == name))).first()
        return zone_row(row) if row else None

    async def host(self, fqdn: str) -> HostRow | None:
        row = (await self.conn.execute(host_query().where(t.hosts.c.fqdn == fqdn))).first()
        return host_row(row) if row else None

    async def acme_account(self, fqdn: str) -> AcmeAccountRow | None:
        """The acme-dns account whose challenge name is ``fqdn``."""
        query = acme_query().where(t.acme_accounts.c.fqdn == fqdn)
        row = (await self.conn.execute(query)).first()
        return acme_row(row) if row else None

    async def hosts_by_id(self, host_ids: Iterable[int]) -> dict[int, HostRow]:
        ids = sorted(set(host_ids))
        if not ids:
            return {}
        rows = await self.conn.execute(HOSTS_BY_ID, {IDS: ids})
        return {h.id: h for h in map(host_row, rows)}

    async def hosts(
        self, *, zone_id: int | None = None, owner_id: int | None = None
    ) -> list[HostRow]:
        query = host_query().order_by(t.hosts.c.fqdn)
        if zone_id is not None:
            query = query.where(t.hosts.c.zone_id == zone_id)
        if owner_id is not None:
            query = query.where(t.hosts.c.owner_id == owner_id)
        return [host_row(r) for r in await self.conn.execute(query)]

    async def zone_records(self, zone_id: int) -> list[RecordRow]:
        rows = await self.conn.execute(
            select(t.records).where(t.records.c.zone_id == zone_id).order_by(t.records.c.id)
        )
        return [
            RecordRow(name=r.name, rtype=r.rtype, ttl=r.ttl, rdata=r.rdata, host_id=r.host_id)
            for r in rows
        ]

    async def records_named(self, zone_id: int, names: Iterable[str]) -> list[RecordRow]:
        """Every record of the zone at any of ``names`` (what an RFC 2136 update looks at)."""
        wanted = sorted(set(names))
        if not wanted:
            return []
        rows = await self.conn.execute(
            select(t.records)
            .where((t.records.c.zone_id == zone_id) & t.records.c.name.in_(wanted))
            .order_by(t.records.c.id)
        )
        return [
            RecordRow(name=r.name, rtype=r.rtype, ttl=r.ttl, rdata=r.rdata, host_id=r.host_id)
            for r in rows
        ]

    async def hosts_named(self, fqdns: Iterable[str]) -> dict[str, HostRow]:
        wanted = sorted(set(fqdns))
        if not wanted:
            return {}
        rows = await self.conn.execute(host_query().where(t.hosts.c.fqdn.in_(wanted)))
        return {h.fqdn: h for h in map(host_row, rows)}

    async def followers_of(self, leaders: Iterable[HostRow]) -> dict[int, list[HostRow]]:
        """Hosts that follow each leader's IPv6 prefix, keyed by leader id; same owner only."""
        owners = {h.id: h.owner_id for h in leaders}
        if not owners:
            return {}
        rows = await self.conn.execute(FOLLOWERS_OF, {IDS: sorted(owners)})
        found: dict[int, list[HostRow]] = defaultdict(list)
        for host in map(host_row, rows):
            if host.follows_id is not None and owners[host.follows_id] == host.owner_id:
                found[host.follows_id].append(host)
        return found

    async def hosts_and_followers(
        self, host_ids: Iterable[int]
    ) -> tuple[dict[int, HostRow], dict[int, list[HostRow]]]:
        """``hosts_by_id`` and their ``followers_of`` in one read: each lone update asks
        for both, and every statement is a part of what it costs."""
        wanted = set(host_ids)
        if not wanted:
            return {}, {}
        rows = await self.conn.execute(HOSTS_AND_FOLLOWERS, {IDS: sorted(wanted)})
        found = [host_row(r) for r in rows]
        hosts = {h.id: h for h in found if h.id in wanted}
        followers: dict[int, list[HostRow]] = defaultdict(list)
        for host in found:
            leader = hosts.get(host.follows_id) if host.follows_id is not None else None
            if leader is not None and leader.owner_id == host.owner_id:
                followers[leader.id].append(host)
        return hosts, followers

    async def records_for_hosts(self, host_ids: Iterable[int]) -> dict[int, list[RecordRow]]:
        ids = sorted(set(host_ids))
        found: dict[int, list[RecordRow]] = defaultdict(list)
        if not ids:
            return found
        rows = await self.conn.execute(RECORDS_FOR_HOSTS, {IDS: ids})
        for r in rows:
            found[r.host_id].append(
                RecordRow(name=r.name, rtype=r.rtype, ttl=r.ttl, rdata=r.rdata, host_id=r.host_id)
            )
        return found


class WriteTransaction(ReadTransaction):
    """Statements inside one open write transaction (committed by ``Store.write``).

    ``touched`` names the tables written through the named methods, so that the
    store can refresh what it keeps of them (the PostgreSQL keyring copy).
    """

    def __init__(self, conn: AsyncConnection) -> None:
        super().__init__(conn)
        self.touched: set[str] = set()
        self.last_appended: int | None = None
        """The id of the last journal entry ``append_journal`` made here: the journal's
        newest (ids grow, and the transaction holds the write lock), read without a query."""

    async def insert(self, table: str, **values: object) -> int:
        self.touched.add(table)
        result = await self.conn.execute(INSERTS[table], values)
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    async def insert_many(self, table: str, rows: Sequence[dict[str, object]]) -> None:
        """One driver-level executemany for many rows with the keys of the first (bulk import).

        Values go through each column type's bind processor once, as
        ``insert()`` would, but without building a parameter set per row:
        for 100,000 rows that is most of the cost (bench/zone_import.py).
        """
        if not rows:
            return
        tab = t.metadata.tables[table]
        dialect = self.conn.dialect
        compiled = insert(tab).compile(dialect=dialect, column_keys=list(rows[0]))
        names = list(compiled.positiontup or ())
        processors = [
            dialect.type_descriptor(tab.c[name].type).bind_processor(dialect) for name in names
        ]
        # Column by column, with each processor remembering its answers: the same few
        # values (one timestamp, two booleans) repeat on every row.
        columns: list[list[object]] = []
        for name, process in zip(names, processors, strict=True):
            column = [row[name] for row in rows]
            if process is not None:
                remembered = functools.lru_cache(maxsize=1024)(process)
                column = [remembered(value) for value in column]
            columns.append(column)
        values = list(zip(*columns, strict=True))
        sql = str(compiled)
        self.touched.add(table)
        await self.conn.exec_driver_sql(sql, values)
        if self._postgresql and "id" in names:
            # Ids given by the caller (above max_id) do not advance PostgreSQL's sequence.
            await advance_sequence(self.conn, tab)

    @asynccontextmanager
    async def page_cache(self, mebibytes: int) -> AsyncIterator[None]:
        """A larger SQLite page cache for this transaction's bulk writes, then the old one.

        With the default 2 MiB, inserting 100,000 random token hashes into
        their unique index spills and re-reads pages: about 40% slower.
        PostgreSQL's shared buffers are the server's to size: nothing to do there.
        """
        if self._postgresql:
            yield
            return
        previous = (await self.conn.exec_driver_sql("PRAGMA cache_size")).scalar()
        await self.conn.exec_driver_sql(f"PRAGMA cache_size=-{int(mebibytes) * 1024}")
        try:
            yield
        finally:
            await self.conn.exec_driver_sql(f"PRAGMA cache_size={int(previous or -2000)}")

    async def max_id(self, table: str) -> int:
        """The highest id in ``table``; under the write lock, ids above it are ours to give."""
        tab = t.metadata.tables[table]
        return int((await self.conn.execute(select(func.max(tab.c.id)))).scalar() or 0)

    async def names_in_use(self, zone_id: int) -> set[str]:
        """Every name of the zone that has a host, a record or an acme-dns account."""
        used: set[str] = set()
        for query in (
            select(t.hosts.c.fqdn).where(t.hosts.c.zone_id == zone_id),
            select(t.records.c.name).where(t.records.c.zone_id == zone_id).distinct(),
            select(t.acme_accounts.c.fqdn).where(t.acme_accounts.c.zone_id == zone_id),
        ):
            used.update((await self.conn.execute(query)).scalars())
        return used

    async def upsert(
        self, table: str, *, key: Mapping[str, object], values: Mapping[str, object]
    ) -> None:
        """Insert the row, or update ``values`` of the row with this primary ``key``."""
        self.touched.add(table)
        tab = t.metadata.tables[table]
        dialect_insert = postgresql_insert if self._postgresql else sqlite_insert
        statement = dialect_insert(tab).values(**key, **values)
        await self.conn.execute(
            statement.on_conflict_do_update(index_elements=list(key), set_=dict(values))
        )

    async def update_row(self, table: str, row_id: int, **values: object) -> int:
        self.touched.add(table)
        tab = t.metadata.tables[table]
        result = await self.conn.execute(update(tab).where(tab.c.id == row_id).values(**values))
        return int(result.rowcount)

    async def delete_where(self, table: str, **equal: object) -> int:
        """Delete the rows whose columns equal the values given; returns how many."""
        tab = t.metadata.tables[table]
        condition = [tab.c[column] == value for column, value in equal.items()]
        result = await self.conn.execute(delete(tab).where(*condition))
        return int(result.rowcount)

    async def delete_row(self, table: str, row_id: int) -> int:
        self.touched.add(table)
        tab = t.metadata.tables[table]
        result = await self.conn.execute(delete(tab).where(tab.c.id == row_id))
        return int(result.rowcount)

    async def replace_rrsets(self, changes: Sequence[tuple[int, int | None, RRset]]) -> None:
        """Replace each (name, type) with the given RRset: (zone_id, host_id, rrset) triples."""
        if not changes:
            return
        await self.conn.execute(
            DELETE_RRSET, [{"b_name": rr.name, "b_rtype": rr.rtype} for _, _, rr in changes]
        )
        rows = [
            {
                "zone_id": zone_id,
                "host_id": host_id,
                "name": rr.name,
                "rtype": rr.rtype,
                "ttl": rr.ttl,
                "rdata": rdata,
            }
            for zone_id, host_id, rr in changes
            for rdata in rr.rdatas
        ]
        if rows:
            await self.conn.execute(INSERTS["records"], rows)

    async def touch_hosts(self, rows: Sequence[dict[str, object]]) -> None:
        """Set update time, source, front door and offline flag per host (keyed ``b_id``)."""
        if rows:
            await self.conn.execute(TOUCH_HOST, list(rows))

    async def count_nochg(self, counts: dict[int, int]) -> None:
        if counts:
            await self.conn.execute(
                COUNT_NOCHG, [{"b_id": host_id, "b_n": n} for host_id, n in counts.items()]
            )

    async def add_history(self, rows: Sequence[NewHistory]) -> None:
        if rows:
            # Shallow: ``asdict`` would deep-copy every value of every row.
            await self.conn.execute(
                INSERTS["history"], [{name: getattr(r, name) for name in HISTORY} for r in rows]
            )

    async def bump_serial(self, zone_id: int) -> int:
        """Advance the zone serial (RFC 1982): at least +1, and at least the Unix time.

        One UPDATE that returns the new serial: two writers of one zone never both
        start from the old one (PostgreSQL locks the row; SQLite has one writer).
        """
        now = int(time.time()) % SERIAL_MODULO
        result = await self.conn.execute(BUMP_SERIAL, {"b_zone": zone_id, "b_now": now})
        return int(result.scalar_one())

    async def prune_journal(self, *, keep: int, removed_after: float = 86400.0) -> int:
        """Delete all but the newest ``keep`` entries of each zone, and old removal markers."""
        deleted = 0
        zone_ids = (await self.conn.execute(select(t.zones.c.id))).scalars().all()
        for zone_id in zone_ids:
            oldest_kept = (
                await self.conn.execute(
                    select(t.journal.c.id)
                    .where(t.journal.c.zone_id == zone_id)
                    .order_by(t.journal.c.id.desc())
                    .limit(1)
                    .offset(keep - 1)
                )
            ).scalar()
            if oldest_kept is not None:
                result = await self.conn.execute(
                    delete(t.journal).where(
                        (t.journal.c.zone_id == zone_id) & (t.journal.c.id < oldest_kept)
                    )
                )
                deleted += int(result.rowcount)
        cutoff = datetime.now(UTC) - timedelta(seconds=removed_after)
        result = await self.conn.execute(
            delete(t.journal).where(t.journal.c.zone_id.is_(None) & (t.journal.c.at < cutoff))
        )
        return deleted + int(result.rowcount)

    async def index_new_names(self) -> int:
        """Put a batch of new host names into SQLite's trigram index (``store/search.py``);
        PostgreSQL's index is its own. Returns how many."""
        if self._postgresql:
            return 0
        return await search.index_new_names(self.conn)

    async def prune_history(self, *, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` history rows older than ``before`` (oldest first)."""
        oldest = select(t.history.c.id).where(t.history.c.at < before).order_by(t.history.c.id)
        result = await self.conn.execute(
            delete(t.history).where(t.history.c.id.in_(oldest.limit(limit).scalar_subquery()))
        )
        return int(result.rowcount)

    async def append_journal(
        self,
        *,
        zone_id: int | None,
        zone: str,
        serial: int,
        kind: str,
        origin: str,
        payload: str,
        at: datetime,
    ) -> int:
        entry = await self.insert(
            "journal",
            zone_id=zone_id,
            zone=zone,
            serial=serial,
            kind=kind,
            origin=origin,
            payload=payload,
            at=at,
        )
        self.last_appended = max(entry, self.last_appended or 0)
        return entry
