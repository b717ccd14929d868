"""contrib/systemd/homing.service: systemd accepts it, it may bind port 53, nothing more."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from support import require_tool, systemd_verify, unit_settings

ROOT = Path(__file__).parents[2]
UNIT = ROOT / "contrib" / "systemd" / "homing.service"


def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    result = systemd_verify(UNIT, tmp_path, sys.executable)
    assert result.returncode == 0, result.stderr
    assert "homing.service" not in result.stderr, result.stderr


def test_port_53_comes_from_an_ambient_capability_and_nothing_else() -> None:
    service = unit_settings(UNIT)
    expected = {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "DynamicUser": "yes",
        "StateDirectory": "homing",
        "StateDirectoryMode": "0700",
        "AmbientCapabilities": "CAP_NET_BIND_SERVICE",
        "CapabilityBoundingSet": "CAP_NET_BIND_SERVICE",
        "Restart": "on-failure",
        "RestrictSUIDSGID": "yes",
        "RestrictNamespaces": "yes",
        "UMask": "0077",
    }
    assert {key: service.get(key, ["<absent>"])[-1] for key in expected} == expected
    assert set(service["RestrictAddressFamilies"][-1].split()) == {"AF_INET", "AF_INET6", "AF_UNIX"}
    command = service["ExecStart"][-1].split()
    assert command[command.index("--data") + 1] == "/var/lib/homing"
    assert "serve" in command


def test_the_exposure_the_docs_quote_is_what_systemd_reports(tmp_path: Path) -> None:
    analyze = require_tool("systemd-analyze")
    unit = tmp_path / UNIT.name
    unit.write_text(UNIT.read_text().replace("/usr/local/bin/homing", sys.executable))
    result = subprocess.run(
        [analyze, "security", "--offline=yes", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    pattern = r"Overall exposure level for homing\.service: (\d+\.\d+) (\w+)"
    found = re.search(pattern, result.stdout)
    assert found is not None, result.stdout + result.stderr
    docs = (ROOT / "docs" / "operators.md").read_text()
    assert f"exposure level {found.group(1)} ({found.group(2)})" in docs


def test_the_docs_no_longer_advise_setcap() -> None:
    for page in (ROOT / "docs").glob("*.md"):
        assert "setcap" not in page.read_text(), page.name
    assert "setcap" not in (ROOT / "README.md").read_text()
