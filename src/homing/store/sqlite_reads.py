"""SQLite point reads straight through the sqlite3 driver, on the event loop thread.

Every dyndns2 update reads its token and its hosts by a unique key, and the
notifier reads a zone's secondaries after each change. Through SQLAlchemy's
synchronous engine (on the loop thread already) each such read paid for
a pool checkout and check-in, an execution context and a result proxy: a
provider taking 50 updates a second alone spent about a third of its loop
thread there (py-spy, bench/README.md), several times the driver's own work.

Here each statement of ``reads.POINT_READS`` is compiled once for the SQLite
dialect, with the bind and result processors SQLAlchemy would apply to its
parameters and columns (datetimes to and from text), and runs on one
connection of its own in autocommit mode: a WAL reader that never waits for
the writer. SQLAlchemy stays the reference: ``tests/store/test_sqlite_reads.py``
holds the rows read here to the rows the engine reads, statement by statement.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select
from sqlalchemy.dialects import sqlite

from homing.errors import StoreError
from homing.store.database import BUSY_TIMEOUT_MS, failure_reason
from homing.store.reads import POINT_READS, MappedRow

DIALECT = sqlite.dialect()
Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    names: tuple[str | None, ...]
    """The bind parameters in the order of the SQL's ``?``; None for a constant of the
    statement's own (the OFFSET 0 SQLite's compiler puts after a LIMIT)."""
    binds: tuple[Processor, ...]
    constants: tuple[Any, ...]
    keys: tuple[str, ...]
    """The result columns by the names the row mappers read."""
    results: tuple[Processor, ...]


def _compile(statement: Select[Any]) -> _Compiled:
    compiled = statement.compile(dialect=DIALECT)
    names = tuple(compiled.positiontup or ())
    positions = [compiled.binds[name] for name in names]
    if any(bind.callable is not None or bind.literal_execute for bind in positions):
        raise ValueError("a point read's parameters are given, not made or rendered")
    binds = tuple(bind.type.dialect_impl(DIALECT).bind_processor(DIALECT) for bind in positions)
    columns = list(statement.selected_columns)
    return _Compiled(
        sql=str(compiled),
        names=tuple(
            name if bind.required else None for name, bind in zip(names, positions, strict=True)
        ),
        binds=binds,
        constants=tuple(
            None if bind.required else bind.value if process is None else process(bind.value)
            for bind, process in zip(positions, binds, strict=True)
        ),
        keys=tuple(statement.selected_columns.keys()),
        results=tuple(
            column.type.dialect_impl(DIALECT).result_processor(DIALECT, None) for column in columns
        ),
    )


class SqlitePointReads:
    """``first`` and ``all`` of a ``reads.POINT_READS`` statement (module docstring)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._db: sqlite3.Connection | None = None
        self._compiled: dict[int, _Compiled] = {}

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            # Every read is on the event loop thread today, one at a time (nothing awaits
            # inside a read); not bound to it, as the engine this replaced was not.
            db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA query_only=ON")
            self._db = db
        return self._db

    def _statement(self, statement: Select[Any]) -> _Compiled:
        found = self._compiled.get(id(statement))
        if found is None:
            if statement not in POINT_READS:
                raise ValueError("a point read must be one of reads.POINT_READS")
            found = self._compiled[id(statement)] = _compile(statement)
        return found

    def _rows(self, statement: Select[Any], params: Mapping[str, Any], limit: int) -> list[Any]:
        compiled = self._statement(statement)
        values = [
            constant if name is None else params[name] if bind is None else bind(params[name])
            for name, bind, constant in zip(
                compiled.names, compiled.binds, compiled.constants, strict=True
            )
        ]
        try:
            cursor = self._connection().execute(compiled.sql, values)
            rows = cursor.fetchmany(limit) if limit else cursor.fetchall()
            cursor.close()
        except sqlite3.Error as exc:
            raise StoreError(f"database {self._path}: {failure_reason(exc)}") from exc
        keys, results = compiled.keys, compiled.results
        return [
            MappedRow(
                {
                    key: value if result is None else result(value)
                    for key, result, value in zip(keys, results, row, strict=True)
                }
            )
            for row in rows
        ]

    def first(self, statement: Select[Any], params: Mapping[str, Any]) -> Any | None:
        """The first row, or None."""
        rows = self._rows(statement, params, 1)
        return rows[0] if rows else None

    def all(self, statement: Select[Any], params: Mapping[str, Any]) -> list[Any]:
        return self._rows(statement, params, 0)

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version`` on this connection: it changes whenever another
        connection (this process's writer, or another process) commits, and only then."""
        try:
            cursor = self._connection().execute("PRAGMA data_version")
            (version,) = cursor.fetchall()[0]
            cursor.close()  # no statement left open: the next read sees the newest commit
        except sqlite3.Error as exc:
            raise StoreError(f"database {self._path}: {failure_reason(exc)}") from exc
        return int(version)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
