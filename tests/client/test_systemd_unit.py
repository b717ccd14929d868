"""contrib/systemd/homing-client.service: systemd accepts it, and its sandbox is hardened."""

from __future__ import annotations

import sys
from pathlib import Path

from support import systemd_verify, unit_settings

UNIT = Path(__file__).parents[2] / "contrib" / "systemd" / "homing-client.service"


def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    result = systemd_verify(UNIT, tmp_path, sys.executable)
    assert result.returncode == 0, result.stderr
    assert "homing-client.service" not in result.stderr, result.stderr


def test_the_sandbox_is_hardened() -> None:
    service = unit_settings(UNIT)
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
