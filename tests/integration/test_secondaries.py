"""Knot and NSD as secondaries: initial transfer, NOTIFY + IXFR after an update, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dns.exception
import dns.rcode
import httpx
import pytest

from .conftest import Seeded
from .dnsquery import addresses, ask, kdig, wait_for
from .secondary_servers import Secondary, free_port, knot, nsd
from .server import ServerProcess, homing

ZONE = "dyn.example."
AUTH = ("alice", "alice-password")


@pytest.fixture
def primary(seeded: Seeded) -> Iterator[ServerProcess]:
    process = ServerProcess(seeded.data).start()
    yield process
    assert process.stop() == 0, process.log()


def serial(server: tuple[str, int]) -> int | None:
    try:
        response = ask(server, ZONE, "SOA")
    except dns.exception.Timeout:
        return None
    if response.rcode() != dns.rcode.NOERROR or not response.answer:
        return None
    return int(response.answer[0][0].serial)


def published(secondary: Secondary, address: str) -> bool:
    try:
        return addresses(secondary.server, "home.dyn.example") == {address}
    except dns.exception.Timeout:
        return False


def update(primary: ServerProcess, address: str) -> None:
    response = httpx.get(
        f"{primary.url}/nic/update",
        params={"hostname": "home.dyn.example", "myip": address},
        auth=AUTH,
    )
    assert response.text == f"good {address}\n"


def follows(primary: ServerProcess, secondary: Secondary) -> None:
    """The secondary serves the primary's serial and the host's new address soon after."""
    try:
        wait_for(
            lambda: serial(secondary.server) == serial(primary.dns),
            timeout=15,
            what="the initial transfer",
        )
        update(primary, "198.51.100.41")
        wait_for(
            lambda: published(secondary, "198.51.100.41"),
            timeout=5,
            what="NOTIFY and IXFR to bring the new address",
        )
        update(primary, "198.51.100.42")
        wait_for(
            lambda: published(secondary, "198.51.100.42"),
            timeout=5,
            what="the second change",
        )
        assert serial(secondary.server) == serial(primary.dns)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- secondary log:\n{secondary.log()}") from None


def test_knot_follows_over_signed_notify_and_ixfr(
    primary: ServerProcess, seeded: Seeded, tmp_path: Path
) -> None:
    secret_line = homing(seeded.data, "tsig", "add", "xfr-key", "--zone", "dyn.example").stdout
    algorithm, name, secret = secret_line.strip().splitlines()[-1].split(":")
    port = free_port("127.0.0.2")
    homing(seeded.data, "secondary", "add", "dyn.example", f"127.0.0.2:{port}", "--tsig", name)
    secondary = knot(
        tmp_path / "knot",
        zone=ZONE,
        primary=primary.dns,
        address="127.0.0.2",
        port=port,
        key=(algorithm, name, secret),
    )
    try:
        follows(primary, secondary)
        wait_for(lambda: "IXFR, incoming" in secondary.log(), timeout=5, what="an IXFR in the log")
        # Listed address but unsigned, and signed but from an unlisted address: refused.
        unsigned = kdig(primary.dns, "-b", "127.0.0.2", ZONE, "AXFR")
        assert "REFUSED" in unsigned
        key = f"{algorithm}:{name}:{secret}"
        elsewhere = kdig(primary.dns, "-b", "127.0.0.9", "-y", key, ZONE, "AXFR")
        assert "REFUSED" in elsewhere
        signed = kdig(primary.dns, "-b", "127.0.0.2", "-y", key, ZONE, "AXFR")
        assert "home.dyn.example." in signed and "198.51.100.42" in signed
    finally:
        secondary.stop()


def test_nsd_follows_unsigned(primary: ServerProcess, seeded: Seeded, tmp_path: Path) -> None:
    port = free_port("127.0.0.3")
    # A listed secondary that never answers must not hold back the NOTIFY of the others.
    homing(seeded.data, "secondary", "add", "dyn.example", f"127.0.0.9:{free_port('127.0.0.9')}")
    homing(seeded.data, "secondary", "add", "dyn.example", f"127.0.0.3:{port}")
    secondary = nsd(
        tmp_path / "nsd", zone=ZONE, primary=primary.dns, address="127.0.0.3", port=port
    )
    try:
        follows(primary, secondary)
        refused = kdig(primary.dns, "-b", "127.0.0.1", ZONE, "AXFR")
        assert "REFUSED" in refused
        ixfr = kdig(primary.dns, "-b", "127.0.0.3", f"IXFR={serial(primary.dns)}", ZONE)
        assert ixfr.count("\tSOA\t") == 1  # up to date: the current SOA alone
    finally:
        secondary.stop()


def test_management(seeded: Seeded) -> None:
    homing(seeded.data, "tsig", "add", "k", "--zone", "dyn.example")
    out = homing(seeded.data, "secondary", "add", "dyn.example", "[::1]:5300", "--tsig", "k")
    assert "::1 port 5300" in out.stdout and "signed with k." in out.stdout
    listed = homing(seeded.data, "secondary", "list").stdout
    assert "::1\t5300\tk." in listed
    removal = homing(seeded.data, "tsig", "remove", "k", check=False)
    assert removal.returncode == 1 and "used by a secondary" in removal.stderr
    for args, message in (
        (("secondary", "add", "dyn.example", "not-an-address"), "not an address"),
        (("secondary", "add", "nowhere.example", "192.0.2.1"), "no zone"),
        (("secondary", "add", "dyn.example", "[::1]:5300"), "already"),
        (("secondary", "remove", "999"), "no secondary"),
    ):
        result = homing(seeded.data, *args, check=False)
        assert result.returncode == 1 and message in result.stderr, result.stderr
    secondary_id = listed.split()[0]
    homing(seeded.data, "secondary", "remove", secondary_id)
    assert homing(seeded.data, "secondary", "list").stdout == ""


def test_knot_serves_the_signed_zone_with_fresh_signatures(
    primary: ServerProcess, seeded: Seeded, tmp_path: Path
) -> None:
    """A signed zone transfers signed: Knot serves RRSIGs, also for a name changed by dyndns2."""
    homing(seeded.data, "dnssec", "enable", "dyn.example")
    port = free_port("127.0.0.2")
    homing(seeded.data, "secondary", "add", "dyn.example", f"127.0.0.2:{port}")
    secondary = knot(
        tmp_path / "knot", zone=ZONE, primary=primary.dns, address="127.0.0.2", port=port
    )
    try:
        follows(primary, secondary)
        out = kdig(secondary.server, "+dnssec", "home.dyn.example", "A")
        assert "198.51.100.42" in out and "RRSIG" in out, out
        assert "NSEC3" in kdig(secondary.server, "+dnssec", "nobody.dyn.example", "A")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- secondary log:\n{secondary.log()}") from None
    finally:
        secondary.stop()
