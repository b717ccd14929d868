"""The alerts' slice of the store: owners' alert settings, the history tail and its cursor.

Reads that follow the history go through the reader engine (never the
writer's connection); the follower's own writes (its cursor, stale marks) are
small transactions of their own, a few per minute at most.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from homing.store import schema as t
from homing.store.reads import ALERT_SETTINGS, HISTORY_AFTER, as_utc, host_query, host_row
from homing.store.rows import HistoryRow, HostRow
from homing.store.store import Store
from homing.store.transaction import WriteTransaction

CURSOR_ROW = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertSettingsRow:
    """Where one user's alerts go and which ones they want (events: changes failures stale)."""

    user_id: int
    user: str
    email: str | None
    webhook: str | None
    events: tuple[str, ...]
    stale_hours: int
    updated_at: datetime


def _settings_row(r: object) -> AlertSettingsRow:
    m = r._mapping  # type: ignore[attr-defined]
    return AlertSettingsRow(
        user_id=m["user_id"],
        user=m["user"],
        email=m["email"],
        webhook=m["webhook"],
        events=tuple(m["events"].split()),
        stale_hours=m["stale_hours"],
        updated_at=as_utc(m["updated_at"]),
    )


async def alert_settings(
    store: Store, *, user_id: int | None = None, administrators: bool = False
) -> list[AlertSettingsRow]:
    """Every user's alert settings (a small table), one user's, or the administrators'."""
    if user_id is None and not administrators:
        # Read after every batch of history the follower takes: on the loop thread.
        return [_settings_row(r) for r in await store.rows_of(ALERT_SETTINGS, {})]
    query = ALERT_SETTINGS
    if user_id is not None:
        query = query.where(t.alert_settings.c.user_id == user_id)
    if administrators:
        query = query.where(t.users.c.is_admin.is_(True))
    async with store.read() as txn:
        return [_settings_row(r) for r in await txn.conn.execute(query)]


async def save_alert_settings(
    txn: WriteTransaction,
    *,
    user_id: int,
    email: str | None,
    webhook: str | None,
    events: Iterable[str],
    stale_hours: int,
) -> None:
    values = {
        "email": email,
        "webhook": webhook,
        "events": " ".join(events),
        "stale_hours": stale_hours,
        "updated_at": datetime.now(UTC),
    }
    await txn.upsert("alert_settings", key={"user_id": user_id}, values=values)


async def last_history_id(store: Store) -> int:
    async with store.read() as txn:
        value = (await txn.conn.execute(select(func.max(t.history.c.id)))).scalar()
    return int(value or 0)


async def history_after(store: Store, after: int, *, limit: int) -> list[HistoryRow]:
    """History rows with an id above ``after``, oldest first."""
    rows = await store.rows_of(HISTORY_AFTER, {"after": after, "limit": limit})
    return [HistoryRow(**dict(r._mapping)) for r in rows]


async def history_rows(store: Store, ids: Iterable[int]) -> list[HistoryRow]:
    """The history rows of ``ids``, oldest first."""
    query = select(t.history).where(t.history.c.id.in_(list(ids))).order_by(t.history.c.id)
    async with store.read() as txn:
        return [HistoryRow(**dict(r._mapping)) for r in await txn.conn.execute(query)]


async def alert_cursor(store: Store) -> int | None:
    async with store.read() as txn:
        query = select(t.alert_cursor.c.history_id).where(t.alert_cursor.c.id == CURSOR_ROW)
        value = (await txn.conn.execute(query)).scalar()
    return None if value is None else int(value)


async def save_alert_cursor(store: Store, history_id: int) -> None:
    async with store.write() as txn:
        await txn.upsert("alert_cursor", key={"id": CURSOR_ROW}, values={"history_id": history_id})


@dataclass(frozen=True, slots=True, kw_only=True)
class Owners:
    """Who owns what a page of history rows names: hosts, users and tokens, by key."""

    host_owner: dict[int, int]
    user_by_name: dict[str, int]
    host_owner_by_fqdn: dict[str, int]
    token_owner: dict[int, int]


async def _pairs(
    conn: AsyncConnection, key: ColumnElement[Any], value: ColumnElement[Any], wanted: list[Any]
) -> dict[Any, int]:
    if not wanted:
        return {}
    rows = await conn.execute(select(key, value).where(key.in_(wanted)))
    return {row[0]: int(row[1]) for row in rows}


async def owners(
    store: Store,
    *,
    host_ids: Iterable[int],
    names: Iterable[str],
    token_ids: Iterable[int],
) -> Owners:
    """Resolve, in a few queries, the owners a page of history rows points at."""
    names = sorted(set(names))
    fqdns = sorted({n.lower().rstrip(".") + "." for n in names})
    async with store.read() as txn:
        conn = txn.conn
        return Owners(
            host_owner=await _pairs(conn, t.hosts.c.id, t.hosts.c.owner_id, sorted(set(host_ids))),
            user_by_name=await _pairs(conn, t.users.c.name, t.users.c.id, names),
            host_owner_by_fqdn=await _pairs(conn, t.hosts.c.fqdn, t.hosts.c.owner_id, fqdns),
            token_owner=await _pairs(
                conn, t.tokens.c.id, t.tokens.c.user_id, sorted(set(token_ids))
            ),
        )


async def hosts_of(store: Store, user_ids: Iterable[int]) -> list[HostRow]:
    wanted = sorted(set(user_ids))
    if not wanted:
        return []
    query = host_query().where(t.hosts.c.owner_id.in_(wanted)).order_by(t.hosts.c.id)
    async with store.read() as txn:
        return [host_row(r) for r in await txn.conn.execute(query)]


async def stale_marks(store: Store) -> dict[int, datetime]:
    """Host id → the last update its stale alert was about."""
    async with store.read() as txn:
        rows = await txn.conn.execute(select(t.stale_alerts))
        return {r.host_id: as_utc(r.last_update) for r in rows}


async def mark_stale(store: Store, marks: dict[int, datetime]) -> None:
    if not marks:
        return
    async with store.write() as txn:
        for host_id, last_update in marks.items():
            await txn.upsert(
                "stale_alerts", key={"host_id": host_id}, values={"last_update": last_update}
            )
