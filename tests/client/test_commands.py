"""``homing client once|status|check`` as users run them, against the real ``homing serve``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ..integration.server import ServerProcess


def _client(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "homing", "client", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_once_status_check(tmp_path: Path, served: tuple[ServerProcess, str]) -> None:
    server, token = served
    (tmp_path / "token").write_text(token + "\n")
    config = tmp_path / "client.toml"
    config.write_text(
        "[ipv4]\n"
        'source = "command"\n'
        'command = ["echo", "93.184.216.34"]\n'
        "[[update]]\n"
        'provider = "homing"\n'
        f'server = "{server.url}"\n'
        'username = "alice"\n'
        f'token_file = "{tmp_path / "token"}"\n'
        'names = ["home.dyn.example"]\n'
        f'dns_server = "{server.dns[0]}:{server.dns[1]}"\n'
    )
    common = ["--config", str(config), "--state", str(tmp_path / "state.json")]
    before = _client("check", *common)
    assert before.returncode == 1, before.stderr
    assert "ipv4\t93.184.216.34\tcommand echo 93.184.216.34" in before.stdout
    assert "homing:home.dyn.example\tMISMATCH" in before.stdout
    once = _client("once", *common)
    assert once.returncode == 0, once.stdout + once.stderr
    assert "homing:home.dyn.example\tdone: up to date (93.184.216.34)" in once.stdout
    status = _client("status", *common)
    assert status.returncode == 0
    assert "ipv4\t93.184.216.34\tpushed 2" in status.stdout
    assert "answer\tgood 93.184.216.34 at" in status.stdout
    after = _client("check", *common)
    assert after.returncode == 0, after.stdout
    assert "homing:home.dyn.example\tok" in after.stdout


def test_bad_config_is_one_line_and_exit_1(tmp_path: Path) -> None:
    config = tmp_path / "client.toml"
    config.write_text('[ipv4]\nsource = "web"\n[[update]]\nprovider = "duckdsn"\n')
    result = _client("check", "--config", str(config))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {config}:4: update[1].provider: 'duckdsn' is not a provider "
        "(did you mean 'duckdns'?); `homing client providers` lists them\n"
    )
