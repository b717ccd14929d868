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
            async with store.write() as txn:
                await save_totp_secret(txn, user_id=user.id, secret=set_to, step=7)
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


def test_host_set_ipv6_settings_and_refusals(tmp_path: Path) -> None:
    _homing(tmp_path, "zone", "add", "dyn.example")
    _homing(tmp_path, "user", "add", "alice")
    for name in ("home", "nas"):
        _homing(tmp_path, "host", "add", f"{name}.dyn.example", "--owner", "alice")
    settings = ["--follows", "home", "--ipv6-interface-id", "02:11:22:33:44:55"]
    set_out = _homing(
        tmp_path, "host", "set", "nas.dyn.example", *settings, "--ipv6-prefix-length", "56"
    )
    assert set_out == (
        "host nas.dyn.example.: interface id ::11:22ff:fe33:4455, prefix length 56, "
        "follows home.dyn.example.\n"
    )
    shown = _homing(tmp_path, "host", "show", "home.dyn.example")
    assert "followers nas.dyn.example." in shown
    for args, message in (
        (["--ipv6-interface-id", "nope"], "not an interface identifier"),
        (["--ipv6-prefix-length", "129"], "1 to 128"),
        (["--follows", "nas"], "cannot follow itself"),
        (["--follows", "nowhere.dyn.example"], "no host nowhere.dyn.example to follow"),
    ):
        result = CliRunner().invoke(
            main, ["--data", str(tmp_path), "host", "set", "nas.dyn.example", *args]
        )
        assert result.exit_code == 1, args
        assert message in result.output, (args, result.output)
    cleared = _homing(tmp_path, "host", "set", "nas.dyn.example", "--follows", "")
    assert "follows" not in cleared
