"""The narrow interface the core uses: reads, and write transactions committed durably.

Front doors never import this module; they go through the core. One class
serves both backends (issue 9): the statements are the same, and what differs
is how a connection is had. On SQLite, point reads by a unique key run on
the event loop thread straight through the driver (``sqlite_reads``); on
PostgreSQL every read is a round trip and goes through asyncpg, and the
DNS parser's synchronous TSIG keyring is served from a copy of the (small)
key table, reloaded after each local write to it and every
``TSIG_RELOAD_SECONDS`` for the other nodes' writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Row, Select, func, select
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from homing.errors import StoreError
from homing.store import schema as t
from homing.store.database import (
    failure_reason,
    migrate_database,
    open_engine,
    open_inline_engine,
)
from homing.store.inline_write import InlineWriter
from homing.store.location import Backend, Database
from homing.store.pages import (
    HostFilter,
    Page,
    failing_count_query,
    host_count_query,
    host_page_query,
    keyset_query,
)
from homing.store.postgres import (
    CommitNotices,
    PointReads,
    Role,
    notify_commit,
    open_postgresql_engine,
    take_write_lock,
)
from homing.store.reads import (
    ACME_BY_USERNAME,
    API_TOKEN_BY_HASH,
    API_TOKEN_BY_ID,
    HOST_BY_FQDN,
    POINT_READS,
    SECONDARIES_OF_ZONE,
    TOKEN_BY_HASH,
    TOKEN_BY_ID,
    TSIG_BY_NAME,
    USER_BY_NAME,
    ZONE_BY_NAME,
    acme_query,
    acme_row,
    api_token_query,
    api_token_row,
    host_query,
    host_row,
    journal_row,
    secondary_query,
    secondary_row,
    token_query,
    token_row,
    tsig_query,
    tsig_row,
    user_row,
    zone_row,
)
from homing.store.rows import (
    AcmeAccountRow,
    ApiTokenRow,
    HistoryRow,
    HostRow,
    JournalEntry,
    RecordRow,
    SecondaryRow,
    TokenRow,
    TsigKeyRow,
    UserRow,
    ZoneRow,
)
from homing.store.search import plan_search
from homing.store.sqlite_reads import SqlitePointReads
from homing.store.transaction import ReadTransaction, WriteTransaction
from homing.store.wal_checkpoints import WalCheckpoints

log = logging.getLogger(__name__)

R = TypeVar("R")
TSIG_RELOAD_SECONDS = 1.0
KEYRING_TABLES = frozenset({"tsig_keys", "zones"})
"""Writes to these change which TSIG keys exist (a zone's removal cascades to its keys)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryFilter:
    """Which history rows to page through, newest first; ``before_id`` is the page cursor."""

    host_ids: tuple[int, ...] | None = None
    owner_id: int | None = None
    """Only rows of this user's hosts (a subquery on ``ix_hosts_owner_fqdn``, never a list)."""
    since: datetime | None = None
    until: datetime | None = None
    outcomes: tuple[str, ...] = ()
    before_id: int | None = None


class Store:
    """The store of one installation: a data directory's SQLite file, or PostgreSQL."""

    def __init__(self, where: Path | Database) -> None:
        self.database = where if isinstance(where, Database) else Database.sqlite(where)
        self.backend = self.database.backend
        self._sqlite_reads: SqlitePointReads | None = None
        self._inline: InlineWriter | None = None
        self._checkpoints: WalCheckpoints | None = None
        self._point_reads: PointReads | None = None
        self._tsig_keys: dict[str, TsigKeyRow] = {}
        self._tsig_reload: asyncio.Task[None] | None = None
        self._notices: asyncio.Task[None] | None = None
        self._me = secrets.token_hex(8)
        """Names this process's notices, so that it does not wake itself."""
        path = self.database.path
        if path is not None:
            self._writer = open_engine(path, writer=True)
            self._reader = open_engine(path, writer=False)
            self._sqlite_reads = SqlitePointReads(path)
            self._checkpoints = WalCheckpoints(path)
            self._inline = InlineWriter(
                open_inline_engine(path), after_commit=self._checkpoints.committed
            )
        else:
            self._writer = open_postgresql_engine(self.database, role=Role.WRITER)
            self._reader = open_postgresql_engine(self.database, role=Role.READER)
            self._point_reads = PointReads(self.database)

    @property
    def path(self) -> Path:
        """The SQLite file (callers that only make sense on SQLite: backups)."""
        if self.database.path is None:
            raise StoreError(f"{self.database.shown} is not a SQLite file")
        return self.database.path

    @classmethod
    async def open(cls, where: Path | Database) -> Store:
        """Migrate the database to the newest schema and open it."""
        database = where if isinstance(where, Database) else Database.sqlite(where)
        try:
            await migrate_database(database)
        except (SQLAlchemyError, OSError) as exc:
            raise StoreError(
                f"cannot open database {database.shown}: {failure_reason(exc)}"
            ) from exc
        store = cls(database)
        if store.backend is Backend.POSTGRESQL:
            await store.reload_tsig_keys()
            store._tsig_reload = asyncio.create_task(store._reload_tsig_keys_forever())
        return store

    def follow_commits(self, wake: Callable[[], None]) -> None:
        """Call ``wake`` when another process commits to the journal (PostgreSQL's NOTIFY).

        On SQLite, where the other writers are management commands on the same
        machine, the writer's journal poll is the only way, and nothing happens here.
        """
        if self.backend is Backend.POSTGRESQL and self._notices is None:
            notices = CommitNotices(self.database, me=self._me, wake=wake)
            self._notices = asyncio.create_task(notices.listen(), name="homing-notices")

    async def close(self) -> None:
        for task in (self._tsig_reload, self._notices):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self._writer.dispose()
        await self._reader.dispose()
        if self._sqlite_reads is not None:
            self._sqlite_reads.close()
        if self._inline is not None:
            self._inline.close()
        if self._checkpoints is not None:
            await self._checkpoints.close()
        if self._point_reads is not None:
            await self._point_reads.close()

    @asynccontextmanager
    async def _unreachable_as_store_error(self) -> AsyncIterator[None]:
        """A database that is down or restarting as ``StoreError`` (one line, no parameters).

        Only connection failures: integrity errors stay what they are, for the
        core to turn into conflicts.
        """
        try:
            yield
        except (OperationalError, InterfaceError, OSError) as exc:
            raise StoreError(f"database {self.database.shown}: {failure_reason(exc)}") from exc

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[AsyncConnection]:
        """A reader connection for one statement."""
        async with self._unreachable_as_store_error(), self._reader.connect() as conn:
            yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[ReadTransaction]:
        """A read transaction: every read inside sees one committed state (WAL snapshot)."""
        async with self._unreachable_as_store_error(), self._reader.begin() as conn:
            yield ReadTransaction(conn)

    @asynccontextmanager
    async def write(self, *, inline: bool = False) -> AsyncIterator[WriteTransaction]:
        """An exclusive write transaction; committed (durably) when the block exits cleanly.

        Exclusive on both backends: SQLite's writers start with ``BEGIN IMMEDIATE``,
        PostgreSQL's take the write lock first (see ``store/postgres.py``). ``inline``:
        on SQLite, a small transaction's statements run on the loop thread
        (``store/inline_write.py``); PostgreSQL's are network round trips either way.
        """
        if inline and self._inline is not None:
            async with self._unreachable_as_store_error(), self._inline.transaction() as conn:
                yield WriteTransaction(conn)
            return
        async with self._unreachable_as_store_error(), self._writer.begin() as conn:
            if self._sqlite_reads is None:
                await take_write_lock(conn)
            txn = WriteTransaction(conn)
            yield txn
            if self._sqlite_reads is None and "journal" in txn.touched:
                await notify_commit(conn, self._me)
        if self._sqlite_reads is None and txn.touched & KEYRING_TABLES:
            # Committed already: a failed reload must not make the write look failed.
            await self._reload_tsig_keys_logged()

    def data_version(self) -> int | None:
        """On SQLite, a number that changes whenever anything is committed to the file, by
        any connection of any process; equal twice, nothing was committed in between. None
        on PostgreSQL, where nothing tells it this cheaply."""
        return self._sqlite_reads.data_version() if self._sqlite_reads is not None else None

    # -- point reads ----------------------------------------------------------------------

    async def _first(self, statement: Select[Any], params: Mapping[str, Any]) -> Row[Any] | None:
        """One row by a unique key: on the loop thread for SQLite, through asyncpg otherwise."""
        if self._sqlite_reads is not None:
            found: Row[Any] | None = self._sqlite_reads.first(statement, params)
            return found
        assert self._point_reads is not None
        return await self._point_reads.first(statement, params)

    async def reload_tsig_keys(self) -> None:
        """Refresh the PostgreSQL keyring copy (see the module docstring)."""
        async with self._connection() as conn:
            rows = await conn.execute(tsig_query())
            self._tsig_keys = {key.name: key for key in map(tsig_row, rows)}

    async def _reload_tsig_keys_logged(self) -> None:
        try:
            await self.reload_tsig_keys()
        except (StoreError, SQLAlchemyError, OSError) as exc:
            log.warning("cannot reload TSIG keys from %s: %s", self.database, failure_reason(exc))

    async def _reload_tsig_keys_forever(self) -> None:
        while True:
            await asyncio.sleep(TSIG_RELOAD_SECONDS)
            await self._reload_tsig_keys_logged()

    # -- reads ---------------------------------------------------------------------------

    # Point reads by a unique key are on every update's path: see _first.

    async def find_user(self, name: str) -> UserRow | None:
        row = await self._first(USER_BY_NAME, {"name": name})
        return user_row(row) if row else None

    async def find_host(self, fqdn: str) -> HostRow | None:
        row = await self._first(HOST_BY_FQDN, {"fqdn": fqdn})
        return host_row(row) if row else None

    async def find_hosts(self, fqdns: list[str]) -> dict[str, HostRow]:
        # One indexed lookup per name (at most max_hosts_per_update) beats an IN list.
        found: dict[str, HostRow] = {}
        for fqdn in fqdns:
            row = await self._first(HOST_BY_FQDN, {"fqdn": fqdn})
            if row is not None:
                found[fqdn] = host_row(row)
        return found

    async def find_token(self, token_hash: str) -> TokenRow | None:
        row = await self._first(TOKEN_BY_HASH, {"token_hash": token_hash})
        return token_row(row) if row else None

    async def find_acme_account(self, username: str) -> AcmeAccountRow | None:
        row = await self._first(ACME_BY_USERNAME, {"username": username})
        return acme_row(row) if row else None

    async def acme_accounts(self) -> list[AcmeAccountRow]:
        query = acme_query().order_by(t.acme_accounts.c.id)
        async with self._connection() as conn:
            return [acme_row(r) for r in await conn.execute(query)]

    async def find_zone(self, name: str) -> ZoneRow | None:
        row = await self._first(ZONE_BY_NAME, {"name": name})
        return zone_row(row) if row else None

    def lookup_tsig_key(self, name: str) -> TsigKeyRow | None:
        """Synchronous, for the DNS parser's keyring callback (see the module docstring)."""
        if self._sqlite_reads is None:
            return self._tsig_keys.get(name)
        row = self._sqlite_reads.first(TSIG_BY_NAME, {"name": name})
        return tsig_row(row) if row else None

    async def tsig_keys(self, *, zone_id: int | None = None) -> list[TsigKeyRow]:
        query = tsig_query().order_by(t.tsig_keys.c.name)
        if zone_id is not None:
            query = query.where(t.tsig_keys.c.zone_id == zone_id)
        async with self._connection() as conn:
            return [tsig_row(r) for r in await conn.execute(query)]

    async def rows_of(self, statement: Select[Any], params: Mapping[str, Any]) -> list[Any]:
        """Every row of one of ``reads.POINT_READS``: on SQLite through the driver on the loop
        thread (small indexed reads, asked after every change), else by the reader engine."""
        if self._sqlite_reads is not None:
            return self._sqlite_reads.all(statement, params)
        if statement not in POINT_READS:
            raise ValueError("rows_of reads one of reads.POINT_READS")
        async with self._connection() as conn:
            return list(await conn.execute(statement, params))

    async def secondaries(self, *, zone: str | None = None) -> list[SecondaryRow]:
        if zone is not None:
            # One zone's secondaries, asked after every change by the notifier.
            return [
                secondary_row(r) for r in await self.rows_of(SECONDARIES_OF_ZONE, {"zone": zone})
            ]
        query = secondary_query().order_by(t.zones.c.name, t.secondaries.c.id)
        async with self._connection() as conn:
            return [secondary_row(r) for r in await conn.execute(query)]

    async def zone_journal(self, zone: str) -> list[JournalEntry]:
        """The zone's journal in commit order (bounded by pruning): the source of IXFR."""
        query = (
            select(t.journal)
            .where((t.journal.c.zone == zone) & t.journal.c.zone_id.is_not(None))
            .order_by(t.journal.c.id)
        )
        async with self._connection() as conn:
            return [journal_row(r) for r in await conn.execute(query)]

    async def zones(self) -> list[ZoneRow]:
        async with self._connection() as conn:
            rows = await conn.execute(select(t.zones).order_by(t.zones.c.name))
            return [zone_row(r) for r in rows]

    async def users(self) -> list[UserRow]:
        async with self._connection() as conn:
            rows = await conn.execute(select(t.users).order_by(t.users.c.name))
            return [user_row(r) for r in rows]

    async def hosts(self, *, owner_id: int | None = None) -> list[HostRow]:
        query = host_query().order_by(t.hosts.c.fqdn)
        if owner_id is not None:
            query = query.where(t.hosts.c.owner_id == owner_id)
        async with self._connection() as conn:
            return [host_row(r) for r in await conn.execute(query)]

    async def tokens(self, *, host_id: int | None = None) -> list[TokenRow]:
        query = token_query().order_by(t.tokens.c.id)
        if host_id is not None:
            query = query.where(t.tokens.c.host_id == host_id)
        async with self._connection() as conn:
            return [token_row(r) for r in await conn.execute(query)]

    async def host_records(self, host_id: int) -> list[RecordRow]:
        async with self._connection() as conn:
            rows = await conn.execute(
                select(t.records).where(t.records.c.host_id == host_id).order_by(t.records.c.id)
            )
            return [
                RecordRow(name=r.name, rtype=r.rtype, ttl=r.ttl, rdata=r.rdata, host_id=host_id)
                for r in rows
            ]

    async def records_of(self, host_ids: Sequence[int]) -> dict[int, list[RecordRow]]:
        """The records of a page of hosts in one read, by host id (the dashboard's cards)."""
        found: dict[int, list[RecordRow]] = {host_id: [] for host_id in host_ids}
        if not host_ids:
            return found
        query = select(t.records).where(t.records.c.host_id.in_(host_ids)).order_by(t.records.c.id)
        async with self._reader.connect() as conn:
            for r in await conn.execute(query):
                found[r.host_id].append(
                    RecordRow(
                        name=r.name, rtype=r.rtype, ttl=r.ttl, rdata=r.rdata, host_id=r.host_id
                    )
                )
        return found

    async def recent_history(
        self, host_ids: Sequence[int], *, per_host: int
    ) -> dict[int, list[HistoryRow]]:
        """The newest ``per_host`` history rows of each of a page of hosts, newest first, in one
        read (a window over ``ix_history_host_at``)."""
        found: dict[int, list[HistoryRow]] = {host_id: [] for host_id in host_ids}
        if not host_ids:
            return found
        h = t.history
        rank = func.row_number().over(partition_by=h.c.host_id, order_by=h.c.id.desc())
        ranked = select(h, rank.label("rank")).where(h.c.host_id.in_(host_ids)).subquery()
        query = (
            select(*[ranked.c[c.name] for c in h.columns])
            .where(ranked.c.rank <= per_host)
            .order_by(ranked.c.host_id, ranked.c.id.desc())
        )
        async with self._reader.connect() as conn:
            for r in await conn.execute(query):
                found[r.host_id].append(HistoryRow(**dict(r._mapping)))
        return found

    async def history(self, *, host_id: int | None = None, limit: int = 50) -> list[HistoryRow]:
        query = select(t.history).order_by(t.history.c.id.desc()).limit(limit)
        if host_id is not None:
            query = query.where(t.history.c.host_id == host_id)
        async with self._connection() as conn:
            return [HistoryRow(**dict(r._mapping)) for r in await conn.execute(query)]

    async def history_page(self, where: HistoryFilter, *, limit: int) -> list[HistoryRow]:
        """Up to ``limit`` rows matching ``where``, newest (highest id) first."""
        h = t.history
        query = select(h).order_by(h.c.id.desc()).limit(limit)
        if where.host_ids is not None:
            query = query.where(h.c.host_id.in_(where.host_ids))
        if where.owner_id is not None:
            owned = select(t.hosts.c.id).where(t.hosts.c.owner_id == where.owner_id)
            query = query.where(h.c.host_id.in_(owned.scalar_subquery()))
        if where.since is not None:
            query = query.where(h.c.at >= where.since)
        if where.until is not None:
            query = query.where(h.c.at < where.until)
        if where.outcomes:
            query = query.where(h.c.outcome.in_(where.outcomes))
        if where.before_id is not None:
            query = query.where(h.c.id < where.before_id)
        async with self._connection() as conn:
            return [HistoryRow(**dict(r._mapping)) for r in await conn.execute(query)]

    # -- pages of the long lists (store/pages.py) ---------------------------------------

    async def _page(
        self,
        query: Select[tuple[object, ...]],
        mapper: Callable[[Row[tuple[object, ...]]], R],
        *,
        limit: int,
    ) -> Page[R]:
        """Asks for one row more than ``limit``: its presence says a next page exists."""
        async with self._reader.connect() as conn:
            rows = [mapper(r) for r in await conn.execute(query.limit(limit + 1))]
        return Page(rows[:limit], more=len(rows) > limit)

    async def _searched(self, conn: AsyncConnection, where: HostFilter) -> HostFilter:
        """PostgreSQL's planner finds its trigram index by itself; SQLite is told."""
        return where if self._sqlite_reads is None else await plan_search(conn, where)

    async def host_page(self, where: HostFilter, *, limit: int) -> Page[HostRow]:
        async with self._reader.connect() as conn:
            where = await self._searched(conn, where)
        return await self._page(host_page_query(host_query(), where), host_row, limit=limit)

    async def count_hosts(self, where: HostFilter) -> int:
        """Hosts matching ``where``: every host or an owner's from ``host_totals``."""
        async with self._reader.connect() as conn:
            where = await self._searched(conn, where)
            return int((await conn.execute(host_count_query(where))).scalar_one())

    async def host_counts(self, owner_ids: Sequence[int]) -> dict[int, int]:
        """How many hosts each of these users owns (their rows of ``host_totals``)."""
        if not owner_ids:
            return {}
        totals = t.host_totals
        query = select(totals.c.owner_id, totals.c.total).where(totals.c.owner_id.in_(owner_ids))
        async with self._reader.connect() as conn:
            return {int(owner): int(n) for owner, n in await conn.execute(query)}

    async def count_users(self, *, admins_only: bool = False) -> int:
        query = select(func.count()).select_from(t.users)
        if admins_only:
            query = query.where(t.users.c.is_admin.is_(True))
        async with self._reader.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def count_failing(self, since: datetime, *, owner_id: int | None) -> int:
        """Hosts failing on the refusals since ``since`` (store/pages.py has the rule)."""
        async with self._reader.connect() as conn:
            query = failing_count_query(since, owner_id=owner_id)
            return int((await conn.execute(query)).scalar_one())

    async def user_page(self, *, after: str | None, limit: int) -> Page[UserRow]:
        query = keyset_query(select(t.users), t.users.c.name, after=after)
        return await self._page(query, user_row, limit=limit)

    async def zone_page(self, *, after: str | None, limit: int) -> Page[ZoneRow]:
        query = keyset_query(select(t.zones), t.zones.c.name, after=after)
        return await self._page(query, zone_row, limit=limit)

    async def token_page(
        self,
        *,
        host_id: int | None = None,
        user_id: int | None = None,
        after: int | None,
        limit: int,
    ) -> Page[TokenRow]:
        """Update tokens of a host or of a user, oldest first."""
        query = token_query()
        if host_id is not None:
            query = query.where(t.tokens.c.host_id == host_id)
        if user_id is not None:
            query = query.where(t.tokens.c.user_id == user_id)
        query = keyset_query(query, t.tokens.c.id, after=after)
        return await self._page(query, token_row, limit=limit)

    async def count_active_tokens(self, *, user_id: int) -> int:
        """The user's update tokens not revoked (``ix_tokens_user``)."""
        tokens = t.tokens
        query = select(func.count()).where(
            tokens.c.user_id == user_id, tokens.c.revoked_at.is_(None)
        )
        async with self._reader.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def api_token_page(
        self, *, user_id: int, after: int | None, limit: int
    ) -> Page[ApiTokenRow]:
        query = api_token_query().where(t.api_tokens.c.user_id == user_id)
        query = keyset_query(query, t.api_tokens.c.id, after=after)
        return await self._page(query, api_token_row, limit=limit)

    async def find_api_token(self, token_hash: str) -> ApiTokenRow | None:
        """A point read on every API request (see _first)."""
        row = await self._first(API_TOKEN_BY_HASH, {"token_hash": token_hash})
        return api_token_row(row) if row else None

    async def api_tokens(self, *, user_id: int | None = None) -> list[ApiTokenRow]:
        query = api_token_query().order_by(t.api_tokens.c.id)
        if user_id is not None:
            query = query.where(t.api_tokens.c.user_id == user_id)
        async with self._connection() as conn:
            return [api_token_row(r) for r in await conn.execute(query)]

    async def find_token_by_id(self, token_id: int) -> TokenRow | None:
        row = await self._first(TOKEN_BY_ID, {"id": token_id})
        return token_row(row) if row else None

    async def find_api_token_by_id(self, token_id: int) -> ApiTokenRow | None:
        row = await self._first(API_TOKEN_BY_ID, {"id": token_id})
        return api_token_row(row) if row else None

    async def find_user_by_id(self, user_id: int) -> UserRow | None:
        async with self._connection() as conn:
            row = (await conn.execute(select(t.users).where(t.users.c.id == user_id))).first()
        return user_row(row) if row else None
