"""contrib/systemd/homing-client.service: systemd accepts it, and its sandbox is hardened."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support import require_tool

UNIT = Path(__file__).parents[2] / "contrib" / "systemd" / "homing-client.service"


def _service_settings() -> dict[str, list[str]]:
    """The [Service] section's keys, each with every value it is given (in order)."""
    settings: dict[str, list[str]] = {}
    section = ""
    for raw in UNIT.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        if section == "Service":
            settings.setdefault(key, []).append(value)
    return settings


def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    analyze = require_tool("systemd-analyze")
    # verify checks that ExecStart exists: point it at this checkout's interpreter.
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace("/usr/local/bin/homing", sys.executable))
    result = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "homing-client.service" not in result.stderr, result.stderr


def test_the_sandbox_is_hardened() -> None:
    service = _service_settings()
    expected = {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "DynamicUser": "yes",
        "StateDirectory": "homing-client",
        "CapabilityBoundingSet": "",
        "RestrictSUIDSGID": "yes",
        "RestrictNamespaces": "yes",
    }
    assert {key: service.get(key, ["<absent>"])[-1] for key in expected} == expected
    families = set(service["RestrictAddressFamilies"][-1].split())
    assert families == {"AF_INET", "AF_INET6", "AF_UNIX", "AF_NETLINK"}
    assert service["ReadWritePaths"] == ["/var/lib/homing-client"]
    command = service["ExecStart"][-1].split()
    assert command[1:3] == ["client", "run"]
    assert command[command.index("--state") + 1].startswith("/var/lib/homing-client/")
