"""The real ddclient (dyndns2) moves a name; dig sees it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from support import require_tool

from .dnsquery import addresses
from .server import ServerProcess


def _run_ddclient(
    tmp_path: Path, server: ServerProcess, address: str, login: str, password: str
) -> str:
    tool = require_tool("ddclient")
    port = server.url.rsplit(":", 1)[1]
    conf = tmp_path / "ddclient.conf"
    conf.write_text(
        "daemon=0\n"
        "ssl=no\n"
        f"use=ip, ip={address}\n"
        "protocol=dyndns2\n"
        f"server=127.0.0.1:{port}\n"
        f"login={login}\n"
        f"password={password}\n"
        "home.dyn.example\n"
    )
    conf.chmod(0o600)
    result = subprocess.run(
        [
            tool,
            "-daemon=0",
            "-foreground",
            "-verbose",
            "-noquiet",
            "-file",
            str(conf),
            "-cache",
            str(tmp_path / f"cache-{address}"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result.stdout + result.stderr


def test_ddclient_updates_and_dig_answers(tmp_path: Path, server: ServerProcess) -> None:
    output = _run_ddclient(tmp_path, server, "203.0.113.21", "alice", "alice-password")
    assert "SUCCESS" in output, output
    assert addresses(server.dns, "home.dyn.example") == {"203.0.113.21"}
    output = _run_ddclient(tmp_path, server, "203.0.113.22", "alice", "alice-password")
    assert "SUCCESS" in output, output
    assert addresses(server.dns, "home.dyn.example") == {"203.0.113.22"}


def test_ddclient_with_wrong_password_changes_nothing(
    tmp_path: Path, server: ServerProcess
) -> None:
    output = _run_ddclient(tmp_path, server, "203.0.113.23", "alice", "not-the-password")
    assert "SUCCESS" not in output
    assert "badauth" in output
    assert addresses(server.dns, "home.dyn.example") == set()
