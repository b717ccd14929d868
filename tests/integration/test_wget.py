"""The real wget with a ``user:pass@`` URL: credentials after the 401 challenge, as routers do."""

from __future__ import annotations

import subprocess

from support import require_tool

from .conftest import Seeded
from .dnsquery import dig
from .server import ServerProcess


def test_wget_user_pass_url_updates_after_the_challenge(
    server: ServerProcess, seeded: Seeded
) -> None:
    wget = require_tool("wget")
    port = server.url.rsplit(":", 1)[1]
    url = (
        f"http://alice:alice-password@127.0.0.1:{port}/nic/update"
        "?hostname=home.dyn.example&myip=203.0.113.99"
    )
    result = subprocess.run(
        [wget, "-q", "-O", "-", "--no-proxy", "--tries=1", "--timeout=10", url],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "good 203.0.113.99\n"), result.stderr
    assert dig(server.dns, "+short", "home.dyn.example", "A").split() == ["203.0.113.99"]
    wrong = subprocess.run(
        [wget, "-q", "-O", "-", "--no-proxy", "--tries=1", url.replace("alice-password", "nope")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert wrong.stdout == "badauth\n"
    assert "alice-password" not in server.log()
