"""The inline writer's statements on the driver, held to SQLAlchemy's (``store/sqlite_writes.py``).

Two copies of one real SQLite file (a zone, a user, three hosts with
records, two following the third, journal entries) take the same statements
of ``transaction.INLINE_STATEMENTS`` with the same generated parameters:
one through ``DriverStatements``, one through SQLAlchemy's ``Connection``.
Every result (rows with their Python values and types, scalars, row
counts, inserted keys) and, at the end, every table must be the same.
A shape the driver must not run (a column default to fill in, an empty IN
list, unlike parameter sets, another statement) is left to SQLAlchemy.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Insert, Select, bindparam, select
from sqlalchemy.exc import IntegrityError, NoResultFound, ResourceClosedError, StatementError

from homing.core.admin import Admin
from homing.store import schema as t
from homing.store import transaction as tx
from homing.store.database import open_inline_engine
from homing.store.inline_write import InlineConnection
from homing.store.sqlite_writes import DriverStatements, _compile
from homing.store.store import Store

ZONE = "dyn.example."
TABLES = ("hosts", "records", "history", "journal", "zones")
WHEN = datetime(2026, 12, 2, 3, 4, 5, 678901, tzinfo=UTC)


async def _fill(path: Path) -> None:
    store = await Store.open(path)
    try:
        admin = Admin(store=store, origin="test")
        await admin.add_zone(ZONE)
        await admin.add_user("alice", password="a long password here")
        for name in ("a", "b", "c"):
            await admin.add_host(f"{name}.{ZONE}", owner="alice")
    finally:
        await store.close()
    with sqlite3.connect(path) as db:
        for rtype, rdata in (("A", "192.0.2.1"), ("AAAA", "2001:db8::1")):
            db.execute(
                "INSERT INTO records (zone_id, host_id, name, rtype, ttl, rdata)"
                " SELECT zone_id, id, fqdn, ?, 60, ? FROM hosts",
                (rtype, rdata),
            )
        db.execute(
            "UPDATE hosts SET follows_id = (SELECT id FROM hosts WHERE fqdn = ?)", ("a." + ZONE,)
        )
        db.execute("UPDATE hosts SET follows_id = NULL WHERE fqdn = ?", ("a." + ZONE,))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("writes") / "homing.sqlite3"
    asyncio.run(_fill(path))
    return path


@pytest.fixture
def pair(template: Path, tmp_path: Path) -> Iterator[Callable[[], tuple[Connection, Connection]]]:
    """Fresh copies of the template, each in an open write transaction: (driver's, reference)."""
    opened: list[Any] = []

    def make() -> tuple[Connection, Connection]:
        here = Path(tempfile.mkdtemp(dir=tmp_path))
        conns = []
        for side in ("driver", "reference"):
            (here / side).mkdir()
            shutil.copy(template, here / side / "homing.sqlite3")
            engine = open_inline_engine(here / side / "homing.sqlite3")
            conn = engine.connect()
            conn.begin()
            opened.append((engine, conn))
            conns.append(conn)
        return conns[0], conns[1]

    yield make
    for engine, conn in opened:
        conn.close()
        engine.dispose()


def _outcome(run: Callable[[], Any], statement: Any, many: bool) -> Any:
    """What a statement gave, comparable across the two paths: rows, count, key, or the error."""
    try:
        result = run()
    except Exception as exc:
        return ("error", type(exc).__name__)
    if isinstance(statement, Select) or statement.exported_columns:  # rows read, or returned
        return [[(k, v, type(v)) for k, v in row._mapping.items()] for row in result]
    key = tuple(result.inserted_primary_key) if isinstance(statement, Insert) and not many else None
    return (result.rowcount, key)


def _tables(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    raw = conn.connection.dbapi_connection
    assert raw is not None
    return {
        table: raw.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall() for table in TABLES
    }


def _statements(conn: Connection) -> DriverStatements:
    """The driver path over a connection's own sqlite3 connection, in its transaction."""
    return DriverStatements(conn.connection.dbapi_connection)  # type: ignore[arg-type]


def _both(driver: Connection, reference: Connection, statement: Any, params: Any) -> Any:
    statements = _statements(driver)
    many = isinstance(params, list) and len(params) > 1
    ours = _outcome(lambda: statements.execute(statement, params), statement, many)
    theirs = _outcome(lambda: reference.execute(statement, params), statement, many)
    assert ours == theirs, statement
    return ours


texts = st.text(max_size=12)
maybe_texts = st.none() | texts
moments = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)
touch_columns = {
    "updated_at": st.none() | moments,
    "last_source": maybe_texts,
    "last_front_door": maybe_texts,
    "offline": st.booleans(),
    "nochg_count": st.integers(0, 2**40),
    "ipv6_interface_id": maybe_texts,
}
host_ids = st.lists(st.integers(-1, 6), min_size=1, max_size=5)


@st.composite
def touches(draw: st.DrawFn) -> list[dict[str, Any]]:
    columns = draw(st.lists(st.sampled_from(sorted(touch_columns)), min_size=1, unique=True))
    rows = []
    for host_id in draw(host_ids):
        row = {column: draw(touch_columns[column]) for column in columns}
        rows.append({"b_id": host_id, **row})
    return rows


@st.composite
def histories(draw: st.DrawFn) -> list[dict[str, Any]]:
    return [
        {
            "at": draw(moments),
            "host_id": draw(st.none() | st.integers(1, 3)),
            "fqdn": draw(maybe_texts),
            "outcome": draw(texts),
            "old_value": draw(maybe_texts),
            "new_value": draw(maybe_texts),
            "credential": draw(maybe_texts),
            "source": draw(maybe_texts),
            "front_door": draw(texts),
            "detail": draw(maybe_texts),
            "count": draw(st.integers(1, 2**31)),
        }
        for _ in range(draw(st.integers(1, 3)))
    ]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ids=host_ids,
    touched=touches(),
    history=histories(),
    nochg=st.dictionaries(st.integers(0, 4), st.integers(-3, 2**31), min_size=1, max_size=3),
    rdatas=st.lists(texts, min_size=1, max_size=3, unique=True),
    journal=st.fixed_dictionaries(
        {"at": moments, "serial": st.integers(0, 2**32 - 1), "payload": texts, "origin": texts}
    ),
    after=st.integers(-1, 10),
    limit=st.integers(1, 5),
    serial_before=st.integers(0, 2**32 - 1) | st.just(2**32 - 1),
    now=st.integers(0, 2**32 - 1),
)
def test_every_statement_gives_sqlalchemys_results_and_tables(
    pair: Callable[[], tuple[Connection, Connection]],
    ids: list[int],
    touched: list[dict[str, Any]],
    history: list[dict[str, Any]],
    nochg: dict[int, int],
    rdatas: list[str],
    journal: dict[str, Any],
    after: int,
    limit: int,
    serial_before: int,
    now: int,
) -> None:
    driver, reference = pair()
    ran = set()

    def both(statement: Any, params: Any = None) -> Any:
        ran.add(statement)
        return _both(driver, reference, statement, params)

    both(tx.HOSTS_BY_ID, {tx.IDS: ids})
    both(tx.FOLLOWERS_OF, {tx.IDS: ids})
    both(tx.HOSTS_AND_FOLLOWERS, {tx.IDS: ids})
    both(tx.RECORDS_FOR_HOSTS, {tx.IDS: ids})
    both(
        tx.DELETE_RRSET,
        [{"b_name": f"a.{ZONE}", "b_rtype": "A"}, {"b_name": "x.", "b_rtype": "TXT"}],
    )
    records = [
        {"zone_id": 1, "host_id": 1, "name": f"a.{ZONE}", "rtype": "TXT", "ttl": 60, "rdata": rdata}
        for rdata in rdatas
    ]
    both(tx.INSERTS["records"], records)
    both(tx.TOUCH_HOST, touched)
    both(tx.COUNT_NOCHG, [{"b_id": host, "b_n": n} for host, n in nochg.items()])
    both(tx.INSERTS["history"], history)
    for conn in (driver, reference):
        conn.exec_driver_sql("UPDATE zones SET serial = ?", (serial_before,))
    serial = both(tx.BUMP_SERIAL, {"b_zone": 1, "b_now": now})
    assert serial == [[("serial", max(serial_before + 1, now) % 2**32 or 1, int)]]
    entry = {"zone_id": 1, "zone": ZONE, "kind": "change", **journal}
    key = both(tx.INSERTS["journal"], entry)
    assert key[1][0] > 0, "the journal's new id"
    both(tx.LAST_JOURNAL_ID)
    both(tx.JOURNAL_AFTER, {"after": after, "limit": limit})
    both(tx.RECORDS_FOR_HOSTS, {tx.IDS: ids})
    assert ran == tx.INLINE_STATEMENTS - {
        v for k, v in tx.INSERTS.items() if k not in ("records", "history", "journal")
    }
    assert _tables(driver) == _tables(reference)


def test_the_driver_runs_the_update_path_statements(
    pair: Callable[[], tuple[Connection, Connection]],
) -> None:
    """Not a fall-back in disguise: the shapes the writer gives run on the driver."""
    driver, _reference = pair()
    statements = _statements(driver)
    assert statements.execute(tx.HOSTS_BY_ID, {tx.IDS: [1, 2]}) is not None
    assert statements.execute(tx.HOSTS_AND_FOLLOWERS, {tx.IDS: [1, 2]}) is not None
    assert statements.execute(tx.TOUCH_HOST, [{"b_id": 1, "updated_at": WHEN}]) is not None
    assert statements.execute(tx.LAST_JOURNAL_ID, None) is not None
    assert statements.execute(tx.BUMP_SERIAL, {"b_zone": 1, "b_now": 5}) is not None
    inserted = statements.execute(
        tx.INSERTS["journal"],
        {
            "at": WHEN,
            "zone_id": 1,
            "zone": ZONE,
            "serial": 7,
            "kind": "change",
            "origin": "o",
            "payload": "{}",
        },
    )
    assert inserted is not None
    assert inserted.inserted_primary_key == (statements.execute(tx.LAST_JOURNAL_ID, None).scalar(),)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("statement", "params"),
    [
        pytest.param(select(t.hosts).where(t.hosts.c.id == 1), {}, id="a statement built per call"),
        pytest.param(tx.HOSTS_BY_ID, {tx.IDS: []}, id="an empty IN list"),
        pytest.param(
            tx.INSERTS["hosts"],
            {"zone_id": 1, "owner_id": 1, "fqdn": "d." + ZONE, "ttl": 60, "created_at": WHEN},
            id="column defaults to fill in",
        ),
        pytest.param(
            tx.TOUCH_HOST,
            [{"b_id": 1, "offline": True}, {"b_id": 2, "last_source": "x"}],
            id="unlike parameter sets",
        ),
        pytest.param(tx.BUMP_SERIAL, {"b_zone": 1}, id="a parameter missing"),
        pytest.param(tx.TOUCH_HOST, [], id="no parameter set"),
    ],
)
def test_what_the_driver_must_not_run_is_left_to_sqlalchemy(
    pair: Callable[[], tuple[Connection, Connection]], statement: Any, params: Any
) -> None:
    driver, _reference = pair()
    before = _tables(driver)
    statements = _statements(driver)
    assert statements.execute(statement, params) is None
    assert _tables(driver) == before


async def test_an_inline_connection_gives_sqlalchemys_defaults(
    pair: Callable[[], tuple[Connection, Connection]],
) -> None:
    """Through ``InlineConnection`` a shape left to SQLAlchemy still gets its defaults."""
    driver, reference = pair()
    host = {"zone_id": 1, "owner_id": 1, "fqdn": "d." + ZONE, "ttl": 60, "created_at": WHEN}
    ours = await InlineConnection(driver).execute(tx.INSERTS["hosts"], host)
    theirs = reference.execute(tx.INSERTS["hosts"], host)
    assert ours.inserted_primary_key == theirs.inserted_primary_key
    assert _tables(driver) == _tables(reference)


def test_one_parameter_set_in_a_list_is_a_single_execute_as_sqlalchemys(
    pair: Callable[[], tuple[Connection, Connection]],
) -> None:
    """SQLAlchemy runs ``[row]`` as one execute, with its inserted key: so does the driver."""
    driver, reference = pair()
    entry = {"at": WHEN, "zone_id": 1, "zone": ZONE, "serial": 9, "kind": "change"}
    key = _both(driver, reference, tx.INSERTS["journal"], [{**entry, "origin": "o", "payload": ""}])
    assert key[1] is not None and key[1][0] > 0
    assert _tables(driver) == _tables(reference)


def test_what_sqlalchemy_must_check_is_left_to_it(
    pair: Callable[[], tuple[Connection, Connection]],
) -> None:
    """A value its column cannot take, or parameter sets in a tuple: SQLAlchemy's own answer."""
    driver, reference = pair()
    statements = _statements(driver)
    not_a_time = [{"b_id": 1, "updated_at": "yesterday"}, {"b_id": 2, "updated_at": "today"}]
    assert statements.execute(tx.TOUCH_HOST, not_a_time) is None
    with pytest.raises(StatementError):
        reference.execute(tx.TOUCH_HOST, not_a_time)
    assert statements.execute(tx.TOUCH_HOST, ({"b_id": 1, "offline": True},)) is None


def test_a_value_made_at_execution_is_never_compiled_for_the_driver() -> None:
    made = select(t.hosts.c.id).where(t.hosts.c.id == bindparam("x", callable_=lambda: 1))
    assert _compile(made, frozenset()) is None
    rendered = select(t.hosts.c.id).where(t.hosts.c.id == bindparam("y", 1, literal_execute=True))
    assert _compile(rendered, frozenset()) is None


async def test_an_inline_connection_after_its_transaction_runs_nothing(
    pair: Callable[[], tuple[Connection, Connection]],
) -> None:
    """Past its block the connection is SQLAlchemy's to refuse, never the driver's to run."""
    driver, _reference = pair()
    inline = InlineConnection(driver)
    driver.rollback()
    driver.close()
    with pytest.raises(ResourceClosedError):
        await inline.execute(tx.LAST_JOURNAL_ID)


def test_a_broken_constraint_is_sqlalchemys_integrity_error_without_parameters(
    pair: Callable[[], tuple[Connection, Connection]],
) -> None:
    driver, _reference = pair()
    before = _tables(driver)
    statements = _statements(driver)
    secret = "rdata-that-must-not-show"
    duplicate = {
        "zone_id": 1,
        "host_id": 1,
        "name": "a." + ZONE,
        "rtype": "TXT",
        "ttl": 1,
        "rdata": secret,
    }
    statements.execute(tx.INSERTS["records"], [duplicate])
    with pytest.raises(IntegrityError) as caught:
        statements.execute(tx.INSERTS["records"], [duplicate])
    assert secret not in str(caught.value)
    assert _tables(driver)["records"] == [*before["records"], _tables(driver)["records"][-1]]


def test_scalar_one_of_no_row_is_sqlalchemys_error(
    pair: Callable[[], tuple[Connection, Connection]],
) -> None:
    driver, _reference = pair()
    statements = _statements(driver)
    result = statements.execute(tx.BUMP_SERIAL, {"b_zone": 99, "b_now": 1})
    assert result is not None
    with pytest.raises(NoResultFound):
        result.scalar_one()
