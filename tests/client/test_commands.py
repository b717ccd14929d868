"""``homing client once|status|check`` as users run them, against the real ``homing serve``."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

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
    assert (
        "homing:home.dyn.example\tdone: updated to 93.184.216.34 (good 93.184.216.34)"
        in once.stdout
    )
    again = _client("once", *common)
    assert "homing:home.dyn.example\tdone: up to date (93.184.216.34)" in again.stdout
    status = _client("status", *common)
    assert status.returncode == 0
    assert "ipv4\t93.184.216.34\tpushed 2" in status.stdout
    assert "answer\tgood 93.184.216.34 at" in status.stdout
    after = _client("check", *common)
    assert after.returncode == 0, after.stdout
    assert "homing:home.dyn.example\tok" in after.stdout


SNIPPET = re.compile(r'<pre class="code" id="snippet-homing"><code>(.*?)</code></pre>', re.S)
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def test_the_web_uis_snippet_works_as_pasted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, served: tuple[ServerProcess, str]
) -> None:
    """The host page's ``homing client`` snippet, with a new token, into a file as it is:
    ``once`` pushes and says so, ``check`` passes though the zone is delegated nowhere (it
    asks the provider's DNS server the snippet names), the state goes under $HOME."""
    server, _ = served
    with httpx.Client(base_url=server.url, timeout=30) as browser:
        login = browser.get("/login")
        fields = {"user": "alice", "password": "alice-password", "next": "/"}
        signed = browser.post("/login", data={"csrf": CSRF.findall(login.text)[0], **fields})
        assert signed.status_code == 303
        host = browser.get("/hosts/home.dyn.example")
        made = browser.post(
            "/hosts/home.dyn.example/tokens",
            data={"csrf": CSRF.findall(host.text)[0], "label": "laptop"},
        )
        assert made.status_code == 303
        page = browser.get(made.headers["location"])
    found = SNIPPET.search(page.text)
    assert found is not None
    config = tmp_path / "client.toml"
    config.write_text(html.unescape(found.group(1)))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    once = _client("once", "--config", str(config))
    assert once.returncode == 0, once.stdout + once.stderr
    assert "homing:home.dyn.example\tdone: updated to 192.0.2.10 (good 192.0.2.10)" in once.stdout
    check = _client("check", "--config", str(config))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "homing:home.dyn.example\tok" in check.stdout
    assert (tmp_path / "home/.local/state/homing-client/state.json").exists()


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
