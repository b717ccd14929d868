"""``homing user totp-off``: the administrators' way back in for a user who lost their app."""

from __future__ import annotations

import asyncio
from pathlib import Path

from click.testing import CliRunner

from homing.cli import main
from homing.store.database import sqlite_path
from homing.store.store import Store
from homing.store.totp import save_totp_secret


def _homing(data: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--data", str(data), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


async def _totp_secret(data: Path, *, set_to: str | None = None) -> str | None:
    store = await Store.open(sqlite_path(data))
    try:
        user = await store.find_user("alice")
        assert user is not None
        if set_to is not None:
            await save_totp_secret(store, user_id=user.id, secret=set_to, step=7)
            return set_to
        return user.totp_secret
    finally:
        await store.close()


def test_totp_off_removes_the_second_factor(tmp_path: Path) -> None:
    _homing(tmp_path, "user", "add", "alice")
    asyncio.run(_totp_secret(tmp_path, set_to="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"))
    assert _homing(tmp_path, "user", "totp-off", "alice") == (
        "two-factor sign-in of alice turned off\n"
    )
    assert asyncio.run(_totp_secret(tmp_path)) is None
    assert "already off" in _homing(tmp_path, "user", "totp-off", "alice")


def test_totp_off_for_an_unknown_user_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--data", str(tmp_path), "user", "totp-off", "nobody"])
    assert result.exit_code == 1
    assert result.output == "error: no user nobody\n"
