"""``homing db copy``: every row of one installation into an empty PostgreSQL database (issue 9).

A user moves up from SQLite without starting over: zones, users, hosts,
records, tokens, TSIG keys, secondaries, acme-dns accounts, API tokens,
history, journal, alert settings. Rows keep their ids (history and journal
refer to them, followers' cursors count them) and tokens are stored as hashes,
so every existing token, password and key keeps working.

The source is read in one read transaction (one consistent state); the target
is written in one transaction under the write lock, so a failure leaves it as
empty as it was. A target holding any row is refused: merging two
installations is not what this is for.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection

from homing.errors import ConflictError, StoreError
from homing.store import schema as t
from homing.store.database import failure_reason
from homing.store.location import Backend, Database
from homing.store.postgres import advance_sequence
from homing.store.store import Store

log = logging.getLogger(__name__)

BATCH_ROWS = 5000
OWN_ROWS = frozenset({"write_probe", "host_totals", "shown_once"})
"""Tables whose rows every database makes for itself (migrations, triggers) or that hold
minutes-lived web UI state: neither checked nor copied (``host_totals`` follows the copied
hosts by itself)."""


@dataclass(frozen=True, slots=True)
class CopyReport:
    """How many rows of each table reached the target, in dependency order."""

    target: str
    rows: tuple[tuple[str, int], ...]

    def line(self) -> str:
        counted = ", ".join(f"{count} {table}" for table, count in self.rows if count)
        return f"copied {counted or 'nothing'} to {self.target}"


def _self_references(table: Table) -> list[str]:
    """Columns that point into their own table (a host following another host)."""
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def _copied_tables() -> list[Table]:
    return [table for table in t.metadata.sorted_tables if table.name not in OWN_ROWS]


async def _check_empty(conn: AsyncConnection, target: Database) -> None:
    for table in _copied_tables():
        count = (await conn.execute(select(func.count()).select_from(table))).scalar_one()
        if count:
            raise ConflictError(
                f"{target.shown} is not empty ({table.name} has {count} rows); "
                "homing db copy fills only an empty database"
            )


async def _copy_table(source: AsyncConnection, target: AsyncConnection, table: Table) -> int:
    """Stream ``table`` across in batches; self-references are filled in after all rows exist."""
    later = _self_references(table)
    key = [c for c in table.primary_key.columns]
    copied = 0
    pending: list[dict[str, object]] = []
    result = await source.stream(select(table).order_by(*key))
    async for batch in result.mappings().partitions(BATCH_ROWS):
        rows = [dict(row) for row in batch]
        if later:
            pending.extend(
                {"b_id": row["id"], **{name: row[name] for name in later}}
                for row in rows
                if any(row[name] is not None for name in later)
            )
            rows = [{**row, **dict.fromkeys(later)} for row in rows]
        await target.execute(insert(table), rows)
        copied += len(rows)
    if pending:
        await target.execute(
            update(table).where(table.c.id == bindparam("b_id")),
            pending,
        )
    return copied


async def copy_database(source: Store, target: Database) -> CopyReport:
    """Copy every row of ``source`` into the empty database ``target`` (see the module)."""
    if target.backend is not Backend.POSTGRESQL:
        raise StoreError("homing db copy --to takes a postgresql:// URL")
    if target.url == source.database.url:
        raise ConflictError("the source and the target are the same database")
    into = await Store.open(target)
    counts: list[tuple[str, int]] = []
    try:
        async with source.read() as reading, into.write() as writing:
            await _check_empty(writing.conn, target)
            for table in _copied_tables():
                counts.append((table.name, await _copy_table(reading.conn, writing.conn, table)))
            for table in t.metadata.sorted_tables:
                if "id" in table.c and table.c.id.primary_key:
                    await advance_sequence(writing.conn, table)
    except SQLAlchemyError as exc:
        reason = failure_reason(exc)
        log.error("copy to %s failed: %s", target.shown, reason)
        raise StoreError(f"copy to {target.shown} failed, nothing was written: {reason}") from exc
    finally:
        await into.close()
    report = CopyReport(target=target.shown, rows=tuple(counts))
    log.info("%s", report.line())
    return report
