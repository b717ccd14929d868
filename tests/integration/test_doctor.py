"""``homing doctor`` against a Knot serving the parent zone on loopback: a correct delegation,
a missing NS, wrong glue and a lame server each give the right finding."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dns.exception
import pytest

from .dnsquery import ask, wait_for
from .secondary_servers import Secondary, free_port, knot_authority
from .server import ServerProcess, homing

PARENT = """\
$ORIGIN parent.test.
$TTL 300
@ SOA ns hostmaster 1 3600 600 1209600 60
@ NS ns
ns A 127.0.0.1
ok NS ns1.ok
ns1.ok A 127.0.0.1
missing NS ns1.missing
ns1.missing A 127.0.0.1
glue NS ns1.glue
ns1.glue A 127.0.0.9
lame NS ns1.lame
ns1.lame A 127.0.0.3
"""

# What each child zone says about itself (its NS and their addresses).
CHILDREN = {
    "ok": ["ns1"],
    "missing": ["ns1", "ns2"],
    "glue": ["ns1"],
    "lame": ["ns1"],
}
ADDRESS = {"lame": "127.0.0.3"}


@pytest.fixture
def parent(tmp_path: Path) -> Iterator[Secondary]:
    port = free_port("127.0.0.1")
    knot = knot_authority(
        tmp_path / "knot", zone="parent.test.", zone_text=PARENT, address="127.0.0.1", port=port
    )

    def answers() -> bool:
        try:
            return bool(ask(knot.server, "parent.test.", "SOA").answer)
        except (dns.exception.DNSException, OSError):
            return False

    try:
        wait_for(answers, timeout=20, what=f"knot to serve the parent zone: {knot.log()}")
        yield knot
    finally:
        knot.stop()


def _children(data: Path, tmp_path: Path) -> None:
    homing(data, "user", "add", "admin")
    for label, servers in CHILDREN.items():
        zone = f"{label}.parent.test."
        lines = [f"$ORIGIN {zone}", "$TTL 300", "@ SOA ns1 hostmaster 1 3600 600 1209600 60"]
        lines += [f"@ NS {ns}" for ns in servers]
        lines += [f"{ns} A {ADDRESS.get(label, '127.0.0.1')}" for ns in servers]
        path = tmp_path / f"{label}.zone"
        path.write_text("\n".join(lines) + "\n")
        homing(
            data,
            "zone",
            "import",
            zone,
            str(path),
            "--owner",
            "admin",
            "--tokens-out",
            str(tmp_path / f"{label}.csv"),
        )


def _lines(output: str, zone: str) -> list[str]:
    return [line for line in output.splitlines() if f"{zone}.parent.test." in line]


def test_doctor_finds_each_delegation_problem(tmp_path: Path, parent: Secondary) -> None:
    data = tmp_path / "data"
    _children(data, tmp_path)
    server = ServerProcess(data).start()
    try:
        result = homing(
            data,
            "doctor",
            "--resolver",
            f"127.0.0.1:{parent.port}",
            "--port",
            str(server.dns[1]),
            "--timeout",
            "0.5",
            check=False,
        )
    finally:
        assert server.stop() == 0, server.log()
    out = result.stdout
    assert result.returncode == 1, out + result.stderr

    ok = _lines(out, "ok")
    assert ok and all(line.startswith("OK ") for line in ok), out
    assert any("answers for ok.parent.test. over UDP and TCP" in line for line in ok), out

    missing = _lines(out, "missing")
    assert any(
        line.startswith("WARN")
        and "ns2.missing.parent.test. is in the zone's NS but the parent does not list it" in line
        for line in missing
    ), out

    glue = _lines(out, "glue")
    assert any(
        line.startswith("FAIL")
        and "wrong glue for ns1.glue.parent.test.: the parent says "
        "127.0.0.9, the zone says 127.0.0.1"
        in line
        for line in glue
    ), out

    lame = _lines(out, "lame")
    assert any(
        line.startswith(
            "FAIL name server ns1.lame.parent.test. (127.0.0.3): lame for "
            "lame.parent.test.: over UDP it does not answer"
        )
        for line in lame
    ), out
    assert any("over TCP it does not answer" in line for line in lame), out
    # The delegation of the lame zone itself is consistent: only the server is at fault.
    assert any(line.startswith("OK   delegation lame.parent.test.") for line in lame), out
    assert all(" -> " in line for line in out.splitlines() if not line.startswith("OK")), out


def test_doctor_reports_a_missing_delegation(tmp_path: Path, parent: Secondary) -> None:
    data = tmp_path / "data"
    homing(data, "zone", "add", "nowhere.parent.test", "--ns", "ns1.nowhere.parent.test")
    result = homing(
        data,
        "doctor",
        "--resolver",
        f"127.0.0.1:{parent.port}",
        "--timeout",
        "0.5",
        check=False,
    )
    assert result.returncode == 1
    assert any(
        line.startswith("FAIL delegation nowhere.parent.test.: the public DNS has no delegation")
        and "NXDOMAIN" in line
        for line in result.stdout.splitlines()
    ), result.stdout
