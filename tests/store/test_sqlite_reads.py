"""SQLite point reads through the driver, held to SQLAlchemy's rows (``store/sqlite_reads.py``).

Every statement of ``reads.POINT_READS`` is read both ways from one real
SQLite file with a row in every table it reads (a zone, a user, a host and
its token, an API token, a TSIG key, a secondary, an acme-dns account): the
same rows, the same keys, the same Python values and types (datetimes from
text, booleans), and nothing for a key that is not there.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Select, create_engine, select

from homing.core.acme import AcmeAccounts
from homing.core.admin import Admin
from homing.core.api_tokens import ApiTokens
from homing.core.secondaries import Secondaries
from homing.core.tsig import TsigKeys
from homing.domain.outcomes import FrontDoor
from homing.errors import StoreError
from homing.store import reads
from homing.store import schema as t
from homing.store.alerts import save_alert_settings
from homing.store.rows import NewHistory
from homing.store.sqlite_reads import SqlitePointReads
from homing.store.store import Store

ZONE = "dyn.example."


async def _filled(path: Path) -> dict[Select[Any], dict[str, Any]]:
    """A database with a row for every point read, and the parameters that find each."""
    store = await Store.open(path)
    try:
        admin = Admin(store=store, origin="test")
        await admin.add_zone(ZONE)
        await admin.add_user("alice", password="a long password here")
        host, _secret = await admin.add_host(f"home.{ZONE}", owner="alice")
        (token,) = await store.tokens(host_id=host.id)
        await TsigKeys(store=store).add("k1", zone=ZONE)
        await Secondaries(store=store).add(ZONE, "127.0.0.1:5300", tsig="k1")
        await Secondaries(store=store).add(ZONE, "[::1]:5301")
        acme = await AcmeAccounts(store=store, origin="test", zone=ZONE).register(
            source="192.0.2.9", front_door=FrontDoor.ACMEDNS
        )
        api_token, _api_secret = await ApiTokens(store=store).create(user="alice", name="script")
        async with store.write() as txn:
            await txn.add_history(
                [
                    NewHistory(
                        at=datetime.now(UTC),
                        host_id=host.id,
                        fqdn=host.fqdn,
                        outcome="good",
                        front_door="dyndns2",
                        new_value="192.0.2.1",
                    )
                ]
            )
            await save_alert_settings(
                txn,
                user_id=host.owner_id,
                email="alice@example.org",
                webhook=None,
                events=("changes", "failures"),
                stale_hours=24,
            )
    finally:
        await store.close()
    return {
        reads.HOST_BY_FQDN: {"fqdn": f"home.{ZONE}"},
        reads.TOKEN_BY_HASH: {"token_hash": token.token_hash},
        reads.SECONDARIES_OF_ZONE: {"zone": ZONE},
        reads.USER_BY_NAME: {"name": "alice"},
        reads.TSIG_BY_NAME: {"name": "k1."},
        reads.ZONE_BY_NAME: {"name": ZONE},
        reads.ACME_BY_USERNAME: {"username": acme.username},
        reads.API_TOKEN_BY_HASH: {"token_hash": api_token.token_hash},
        reads.TOKEN_BY_ID: {"id": token.id},
        reads.API_TOKEN_BY_ID: {"id": api_token.id},
        reads.HISTORY_AFTER: {"after": 0, "limit": 10},
        reads.ALERT_SETTINGS: {},
    }


MISSING: dict[Select[Any], dict[str, Any]] = {
    reads.HISTORY_AFTER: {"after": 10**9, "limit": 10},
}
"""Parameters that find nothing, where a key that is not there would not say it."""


def _typed(rows: list[Any]) -> list[list[tuple[str, Any, type]]]:
    return [[(key, value, type(value)) for key, value in row._mapping.items()] for row in rows]


async def test_every_point_read_gives_sqlalchemys_rows(tmp_path: Path) -> None:
    path = tmp_path / "homing.sqlite3"
    wanted = await _filled(path)
    assert wanted.keys() == reads.POINT_READS
    engine = create_engine(f"sqlite:///{path}")
    driver = SqlitePointReads(path)
    try:
        with engine.connect() as conn:
            for statement, params in wanted.items():
                reference = list(conn.execute(statement, params))
                assert reference, f"no row for {statement}"
                assert _typed(driver.all(statement, params)) == _typed(reference)
                assert _typed([driver.first(statement, params)]) == _typed(reference[:1])
                if statement is reads.ALERT_SETTINGS:
                    continue
                missing = MISSING.get(statement) or {
                    name: -1 if name == "id" else "nothing." for name in params
                }
                assert list(conn.execute(statement, missing)) == []
                assert driver.first(statement, missing) is None
                assert driver.all(statement, missing) == []
        # The datetimes come back as datetimes, as the engine's processors make them.
        (token,) = driver.all(reads.TOKEN_BY_HASH, wanted[reads.TOKEN_BY_HASH])
        assert token._mapping["created_at"].year >= 2026
    finally:
        driver.close()
        engine.dispose()


def test_a_statement_built_per_call_is_refused(tmp_path: Path) -> None:
    """Compiled statements are kept by identity: one built per call could reuse an identity."""
    driver = SqlitePointReads(tmp_path / "homing.sqlite3")
    with pytest.raises(ValueError, match="POINT_READS"):
        driver.first(select(t.users).where(t.users.c.id == 1), {})


def test_a_file_that_is_not_a_database_is_one_store_error(tmp_path: Path) -> None:
    path = tmp_path / "homing.sqlite3"
    path.write_bytes(b"not a database, " * 100)
    driver = SqlitePointReads(path)
    try:
        with pytest.raises(StoreError, match="not a database") as caught:
            driver.first(reads.USER_BY_NAME, {"name": "alice"})
        assert "alice" not in str(caught.value)
    finally:
        driver.close()
