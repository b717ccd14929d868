"""The inline writer's statements straight through the sqlite3 driver.

A dyndns2 update alone is one write transaction of about twelve small
statements (its hosts, their records and followers, the records replaced,
the host touched, history, the serial, the journal). Through SQLAlchemy's
``Connection.execute`` each cost 60 to 80 microseconds of execution context,
parameter processing and result proxy, where the driver's own work is 2 to
10 (bench/README.md, "The writer's statements on the driver"): most of the
SQL time of a provider taking updates one by one.

Here each statement of ``transaction.INLINE_STATEMENTS`` is compiled once per
shape (the parameter names given decide an UPDATE's SET and an INSERT's
columns) with the bind and result processors SQLAlchemy would apply, and
runs on the transaction's own driver connection, inside the transaction
SQLAlchemy began, and only while it is open. A shape that needs what only
SQLAlchemy's execution context does (a Python-side column default to fill
in, a value made at execution, an empty IN list, a parameter missing) is
left to SQLAlchemy, as are a value its column cannot take (for SQLAlchemy's
own error) and every other statement.
SQLAlchemy stays the reference: ``tests/store/test_sqlite_writes.py`` runs
the same statements both ways and holds results and tables to each other.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from sqlalchemy import Insert, Integer, Select
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError, MultipleResultsFound, NoResultFound
from sqlalchemy.sql.dml import UpdateBase

from homing.store.reads import MappedRow
from homing.store.sqlite_reads import Processor
from homing.store.transaction import INLINE_STATEMENTS

DIALECT = sqlite.dialect()
_EXPANDING = "(__[POSTCOMPILE_{}])"


class DriverRow(MappedRow):
    """A row read here: its columns by ``_mapping`` and as attributes, as SQLAlchemy's."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self._mapping[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True, slots=True)
class _Slot:
    """One ``?`` of the SQL: a parameter by name (through its processor), or a constant."""

    name: str | None
    process: Processor
    constant: Any = None


@dataclass(frozen=True, slots=True)
class _Shape:
    sql: str
    slots: tuple[_Slot, ...]
    expanding: str | None
    """The one parameter that is a list, rendered as that many ``?`` (an IN list) wherever
    the SQL has it."""
    results: tuple[Processor, ...] | None
    """The processors of a SELECT's result columns, or of what DML returns; None for DML
    that returns nothing."""
    returns_key: bool
    """An INSERT into a table keyed by one integer ``id``: its ``inserted_primary_key``."""


class DriverResult:
    """What the store's transactions use of SQLAlchemy's ``Result``, over a driver cursor."""

    __slots__ = ("_key", "_rows", "rowcount")

    def __init__(self, rows: list[DriverRow], rowcount: int, key: int | None) -> None:
        self._rows = rows
        self.rowcount = rowcount
        self._key = key

    def __iter__(self) -> Any:
        return iter(self._rows)

    def scalar(self) -> Any:
        """The first column of the first row, or None when there is none."""
        return next(iter(self._rows[0]._mapping.values())) if self._rows else None

    def scalar_one(self) -> Any:
        if len(self._rows) != 1:
            if not self._rows:
                raise NoResultFound("No row was found when one was required")
            raise MultipleResultsFound("Multiple rows were found when exactly one was required")
        return self.scalar()

    @property
    def inserted_primary_key(self) -> tuple[int] | None:
        return None if self._key is None else (self._key,)


def _compile(statement: Select[Any] | UpdateBase, names: frozenset[str]) -> _Shape | None:
    """The statement's driver form for parameters named ``names``, or None for SQLAlchemy's."""
    column_keys = None if isinstance(statement, Select) else sorted(names)
    compiled = statement.compile(dialect=DIALECT, column_keys=column_keys)
    if getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None):
        return None
    expanding = None
    slots = []
    for name in compiled.positiontup or ():
        bind = compiled.binds[name]
        if bind.callable is not None or bind.literal_execute:
            return None  # a value made at execution, or rendered into the SQL
        if bind.expanding and expanding not in (None, name):
            return None  # two IN lists (one list in two places is one)
        process = bind.type.dialect_impl(DIALECT).bind_processor(DIALECT)
        if bind.expanding:
            expanding = name
        if name in names:
            slots.append(_Slot(name, process))
        elif not bind.required and not bind.expanding:
            value = bind.value
            slots.append(_Slot(None, None, value if process is None else process(value)))
        else:
            return None
    results = None
    # A SELECT's columns, or what an UPDATE or INSERT returns (RETURNING).
    columns = list(
        statement.selected_columns if isinstance(statement, Select) else statement.exported_columns
    )
    if isinstance(statement, Select) or columns:
        results = tuple(
            column.type.dialect_impl(DIALECT).result_processor(DIALECT, None) for column in columns
        )
    returns_key = False
    if isinstance(statement, Insert):
        key = list(statement.table.primary_key)
        if len(key) != 1 or key[0].name != "id" or not isinstance(key[0].type, Integer):
            return None
        returns_key = True
    return _Shape(str(compiled), tuple(slots), expanding, results, returns_key)


_SHAPES: dict[tuple[int, frozenset[str]], _Shape | None] = {}
"""Every shape compiled so far, kept for the process's life (a handful: the statements are
``INLINE_STATEMENTS`` and their callers give few sets of names); None: SQLAlchemy's."""


class DriverStatements:
    """``execute`` of ``INLINE_STATEMENTS`` on one transaction's driver connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, statement: Any, parameters: Any) -> DriverResult | None:
        """The statement run here, or None when SQLAlchemy must run it (nothing was done)."""
        if statement not in INLINE_STATEMENTS:
            return None
        if isinstance(parameters, list):
            rows: Sequence[Mapping[str, Any]] = parameters
        elif parameters is None or isinstance(parameters, dict):
            rows = [parameters or {}]
        else:
            return None
        # One parameter set in a list runs as SQLAlchemy runs it: a single execute.
        many = len(rows) > 1
        if not rows:
            return None
        names = rows[0].keys()
        if many and any(row.keys() != names for row in rows):
            return None
        index = (id(statement), frozenset(names))
        if index in _SHAPES:
            shape = _SHAPES[index]
        else:
            shape = _SHAPES[index] = _compile(statement, index[1])
        if shape is None or (many and (shape.results is not None or shape.expanding)):
            return None
        if shape.expanding is None:
            return self._run(shape, shape.sql, rows, many)
        listed = rows[0][shape.expanding]
        if not isinstance(listed, list | tuple) or not listed:
            return None
        sql = shape.sql.replace(
            _EXPANDING.format(shape.expanding), "(" + ", ".join("?" * len(listed)) + ")"
        )
        return self._run(shape, sql, rows, many)

    def _run(
        self, shape: _Shape, sql: str, rows: Sequence[Mapping[str, Any]], many: bool
    ) -> DriverResult | None:
        try:
            values = [_values(shape, row) for row in rows]
        except (TypeError, ValueError, AttributeError):
            # A value its column cannot take: SQLAlchemy raises its own error for it.
            return None
        try:
            cursor = self._db.executemany(sql, values) if many else self._db.execute(sql, values[0])
            rows_read = []
            if shape.results is not None:
                # The names as the SQL labels them (max_1 for an unnamed max), as SQLAlchemy's.
                keys = [column[0] for column in cursor.description]
                rows_read = [_row(keys, shape.results, row) for row in cursor.fetchall()]
            result = DriverResult(
                rows_read,
                cursor.rowcount,
                cursor.lastrowid if shape.returns_key and not many else None,
            )
            cursor.close()
        except sqlite3.Error as exc:
            _raise_as_sqlalchemy(sql, exc)
        return result


def _values(shape: _Shape, row: Mapping[str, Any]) -> list[Any]:
    values: list[Any] = []
    for slot in shape.slots:
        if slot.name is None:
            values.append(slot.constant)
        elif slot.name == shape.expanding:
            process = slot.process
            listed = row[slot.name]
            values.extend(listed if process is None else map(process, listed))
        else:
            value = row[slot.name]
            values.append(value if slot.process is None else slot.process(value))
    return values


def _row(keys: list[str], results: tuple[Processor, ...], row: tuple[Any, ...]) -> DriverRow:
    return DriverRow(
        {
            key: value if result is None else result(value)
            for key, result, value in zip(keys, results, row, strict=True)
        }
    )


def _raise_as_sqlalchemy(sql: str, exc: sqlite3.Error) -> NoReturn:
    """The driver's error as SQLAlchemy raises it (IntegrityError, OperationalError, ...), so
    that callers catch one kind whichever path ran; no parameters in its text."""
    raise DBAPIError.instance(
        sql, None, exc, sqlite3.Error, hide_parameters=True, dialect=DIALECT
    ) from exc
