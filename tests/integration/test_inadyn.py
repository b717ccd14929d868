"""The real inadyn (custom dyndns2 provider, host token as password) moves a name."""

from __future__ import annotations

import subprocess
from pathlib import Path

from support import require_tool

from .conftest import Seeded
from .dnsquery import addresses
from .server import ServerProcess


def test_inadyn_updates_with_host_token(
    tmp_path: Path, server: ServerProcess, seeded: Seeded
) -> None:
    tool = require_tool("inadyn")
    port = server.url.rsplit(":", 1)[1]
    cache = tmp_path / "cache"
    cache.mkdir()
    # Without a cache file inadyn resolves the name through the machine's resolver.
    (cache / "home.dyn.example.cache").write_text("192.0.2.250\n")
    conf = tmp_path / "inadyn.conf"
    conf.write_text(
        "period = 60\n"
        "verify-address = false\n"
        "custom homing {\n"
        "    ssl = false\n"
        f'    ddns-server = "127.0.0.1:{port}"\n'
        '    ddns-path = "/nic/update?hostname=%h&myip=%i"\n'
        f'    checkip-server = "127.0.0.1:{port}"\n'
        '    checkip-path = "/ip"\n'
        "    checkip-ssl = false\n"
        '    username = "home.dyn.example"\n'
        f'    password = "{seeded.token}"\n'
        '    hostname = "home.dyn.example"\n'
        "}\n"
    )
    conf.chmod(0o600)
    result = subprocess.run(
        [
            tool,
            "-1",
            "-n",
            "-f",
            str(conf),
            f"--cache-dir={cache}",
            "-P",
            str(tmp_path / "pid"),
            "-l",
            "debug",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = result.stdout + result.stderr
    # inadyn learns its address from our /ip (127.0.0.1 on loopback) and publishes it.
    assert addresses(server.dns, "home.dyn.example") == {"127.0.0.1"}, output
