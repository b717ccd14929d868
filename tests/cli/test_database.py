"""``homing db upgrade``, ``homing db copy --to URL`` and ``--database-url`` on the commands."""

from __future__ import annotations

import asyncio
import ipaddress
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from homing.cli import main
from homing.core.acme import AcmeAccounts
from homing.core.api_tokens import ApiTokens, BearerAuth
from homing.core.auth import Authenticator, AuthOutcome
from homing.core.secondaries import Secondaries
from homing.core.session_key import shared_session_key
from homing.core.tsig import TsigKeys
from homing.core.write_path import DirectWrites
from homing.domain.edits import HostEdit
from homing.domain.host_settings import Ipv6SettingsChange
from homing.domain.outcomes import FrontDoor, UpdateOutcome
from homing.store import schema as t
from homing.store.alerts import save_alert_settings
from homing.store.copy import copy_database
from homing.store.location import Backend, Database
from homing.store.pages import HostFilter
from homing.store.store import Store
from support import Core


def _homing(*args: str, code: int = 0, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


async def _counts(store: Store) -> dict[str, int]:
    async with store.read() as txn:
        return {
            table.name: (
                await txn.conn.execute(select(func.count()).select_from(table))
            ).scalar_one()
            for table in t.metadata.sorted_tables
        }


async def _populate(core: Core) -> dict[str, str]:
    """One of everything an installation holds; the secrets handed out on the way."""
    admin = core.admin
    await admin.add_zone("dyn.example")
    await admin.add_user("alice", password="correct horse battery")
    leader, token = await admin.add_host("home.dyn.example", owner="alice")
    follower, _ = await admin.add_host("lab.dyn.example", owner="alice")
    # The first host follows the second: a self-reference to a row copied after it.
    await admin.update_host("home.dyn.example", ipv6=Ipv6SettingsChange(follows="lab.dyn.example"))
    principal = (
        await core.auth.basic(
            "home.dyn.example", token, source="192.0.2.9", front_door=FrontDoor.DYNDNS2
        )
    ).principal
    assert principal is not None
    [result] = await core.updates.apply_update(
        principal,
        hostnames=["home.dyn.example"],
        edit=HostEdit(ipv4=ipaddress.IPv4Address("192.0.2.7")),
        source="192.0.2.9",
        front_door=FrontDoor.DYNDNS2,
    )
    assert result.outcome is UpdateOutcome.GOOD
    await TsigKeys(store=core.store).add("k1", zone="dyn.example")
    await Secondaries(store=core.store).add("dyn.example", "127.0.0.1:5300", tsig="k1")
    await AcmeAccounts(store=core.store, origin="t", zone="dyn.example").register(
        source="192.0.2.9", front_door=FrontDoor.ACMEDNS
    )
    _row, api_secret = await ApiTokens(store=core.store).create(user="alice", name="script")
    user = await core.store.find_user("alice")
    assert user is not None
    async with core.store.write() as txn:
        await save_alert_settings(
            txn,
            user_id=user.id,
            email="a@example.net",
            webhook=None,
            events=["changes"],
            stale_hours=24,
        )
    assert leader.id < follower.id
    session_key = await shared_session_key(writes=DirectWrites(core.store))
    return {"token": token, "api": api_secret, "session_key": session_key.hex()}


async def test_copy_moves_every_row_and_old_secrets_keep_working(
    core: Core, postgres_url: str
) -> None:
    if core.store.backend is not Backend.SQLITE:
        pytest.skip("moves a SQLite installation (HOMING_TEST_DATABASE puts it on PostgreSQL)")
    secrets = await _populate(core)
    await core.writer.sync()
    before = await _counts(core.store)
    assert all(before[name] for name in ("zones", "hosts", "records", "tokens", "history"))
    assert all(before[name] for name in ("journal", "tsig_keys", "secondaries", "api_tokens"))
    target = Database.postgresql(postgres_url)
    report = await copy_database(core.store, target)
    assert "postgres@127.0.0.1" in report.line() and f"{before['hosts']} hosts" in report.line()
    moved = await Store.open(target)
    try:
        assert await _counts(moved) == before
        # The totals come from the target's own triggers, not copied on top of them.
        assert await moved.count_hosts(HostFilter()) == before["hosts"]
        home = await moved.find_host("home.dyn.example.")
        assert home is not None and home.follows == "lab.dyn.example."
        # The web session key moved too: sessions and invitation links keep working.
        moved_key = await shared_session_key(writes=DirectWrites(moved))
        assert moved_key.hex() == secrets["session_key"]
        assert moved.lookup_tsig_key("k1.") is not None
        auth = Authenticator(store=moved, brake=core.brake, refusals=core.refusals)
        for login, secret in (
            ("home.dyn.example", secrets["token"]),
            ("alice", "correct horse battery"),
        ):
            found = await auth.basic(login, secret, source=None, front_door=FrontDoor.DYNDNS2)
            assert found.outcome is AuthOutcome.OK, login
        bearer = BearerAuth(store=moved, brake=core.brake, refusals=core.refusals)
        assert (await bearer.authenticate(secrets["api"], source=None)).failure is None
        # New rows get new ids: the sequences were moved past the copied ones.
        async with moved.write() as txn:
            zone = await txn.zone("dyn.example.")
            assert zone is not None
            new_id = await txn.insert(
                "history", at=home.created_at, host_id=None, outcome="good", front_door="cli"
            )
        assert new_id > before["history"]
    finally:
        await moved.close()
    with pytest.raises(Exception, match="is not empty"):
        await copy_database(core.store, target)


def test_db_commands_and_the_flag_work_against_postgresql(
    tmp_path: Path, postgres_url: str
) -> None:
    data = tmp_path / "data"
    assert "upgraded from schema (empty)" in _homing("--data", str(data), "db", "upgrade")
    _homing("--data", str(data), "zone", "add", "dyn.example")
    env = {"HOMING_DATABASE_URL": postgres_url}
    assert "upgraded from schema (empty)" in _homing("db", "upgrade", env=env)
    assert "already" in _homing("db", "upgrade", "--database-url", postgres_url)
    assert _homing("--database-url", postgres_url, "zone", "list").strip() == ""
    copied = _homing("--data", str(data), "db", "copy", "--to", postgres_url)
    assert copied.startswith("copied 1 zones") and "postgres@127.0.0.1" in copied
    assert "dyn.example." in _homing("zone", "list", env=env)
    _homing("user", "add", "bob", "--database-url", postgres_url)
    _homing("host", "add", "b.dyn.example", "--owner", "bob", env=env)
    assert "b.dyn.example." in _homing("host", "list", env=env)
    assert not (tmp_path / "homing-data").exists()
    refused = _homing("--data", str(data), "db", "copy", "--to", postgres_url, code=1)
    assert refused.count("\n") == 1 and "is not empty" in refused


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u:hunter2@127.0.0.1/db", "must start with postgresql://"),
        ("postgresql://u:hunter2@127.0.0.1:1/db", "database postgresql://u:***@127.0.0.1:1/db"),
        ("postgresql://u:hunter2@127.0.0.1:1", "names no database"),
    ],
)
def test_bad_database_urls_get_one_line_without_the_password(url: str, message: str) -> None:
    out = _homing("--database-url", url, "zone", "list", code=1)
    assert out.startswith("error: ") and out.count("\n") == 1 and message in out
    assert "hunter2" not in out


def test_backup_points_postgresql_installations_to_pg_dump(postgres_url: str) -> None:
    out = _homing("--database-url", postgres_url, "backup", "/nonexistent/x.tar.gz", code=1)
    assert "pg_dump" in out and out.count("\n") == 1


def test_copy_needs_a_postgresql_target(tmp_path: Path) -> None:
    out = _homing("--data", str(tmp_path), "db", "copy", "--to", "sqlite:///x", code=1)
    assert "not supported" in out and out.count("\n") == 1
    assert asyncio.iscoroutinefunction(copy_database)


def test_a_new_session_key_replaces_the_old_one_and_its_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "web-session.key").write_text("ab" * 32 + "\n")
    out = _homing("--data", str(data), "db", "new-session-key")
    assert out == "new web session key stored; restart every homing serve node to use it\n"
    assert not (data / "web-session.key").exists()

    async def stored() -> bytes:
        store = await Store.open(data / "homing.sqlite3")
        try:
            return await shared_session_key(writes=DirectWrites(store))
        finally:
            await store.close()

    key = asyncio.run(stored())
    assert len(key) == 32 and key != bytes.fromhex("ab" * 32)
