"""RFC 2136 with the real nsupdate (BIND) and knsupdate (Knot) against ``homing serve``."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dns.message
import dns.rcode
import dns.tsig
import dns.update
import pytest

from support import require_tool

from .conftest import Seeded
from .dnsquery import addresses, dig
from .server import ServerProcess, homing


@dataclass
class Keys:
    scoped: str  # hmac-sha256:NAME:SECRET, may change home.dyn.example A/AAAA/TXT only
    zone_wide: str  # hmac-sha512, any name, A/AAAA/TXT/CNAME


@pytest.fixture
def keys(seeded: Seeded) -> Keys:
    def add(*args: str) -> str:
        return homing(seeded.data, "tsig", "add", *args).stdout.strip().splitlines()[-1]

    return Keys(
        scoped=add("home-key", "--zone", "dyn.example", "--names", "home.dyn.example"),
        zone_wide=add(
            "ops-key",
            "--zone",
            "dyn.example",
            "--algorithm",
            "hmac-sha512",
            "--types",
            "A,AAAA,TXT,CNAME",
        ),
    )


@pytest.fixture
def running(seeded: Seeded, keys: Keys) -> Iterator[ServerProcess]:
    process = ServerProcess(seeded.data).start()
    yield process
    assert process.stop() == 0, process.log()


def nsupdate(
    server: ServerProcess,
    key: str | None,
    *commands: str,
    tool: str = "nsupdate",
    options: tuple[str, ...] = (),
    prefix: tuple[str, ...] = (),
    zone: bool = True,
) -> subprocess.CompletedProcess[str]:
    host, port = server.dns
    script = [f"server {host} {port}"]
    if zone:
        script.append("zone dyn.example")
    script += [*commands, "send", ""]
    args = [*prefix, require_tool(tool), *options]
    if key is not None:
        args += ["-y", key]
    return subprocess.run(
        args, input="\n".join(script), capture_output=True, text=True, timeout=30, check=False
    )


def test_add_replace_delete_with_nsupdate(running: ServerProcess, keys: Keys) -> None:
    added = nsupdate(running, keys.scoped, "update add home.dyn.example 60 A 198.51.100.5")
    assert added.returncode == 0, added.stderr
    assert addresses(running.dns, "home.dyn.example") == {"198.51.100.5"}
    replaced = nsupdate(
        running,
        keys.scoped,
        "update delete home.dyn.example A",
        "update add home.dyn.example 60 A 198.51.100.6",
        "update add home.dyn.example 60 AAAA 2001:db8::6",
        options=("-v",),  # over TCP
    )
    assert replaced.returncode == 0, replaced.stderr
    assert addresses(running.dns, "home.dyn.example") == {"198.51.100.6"}
    assert addresses(running.dns, "home.dyn.example", "AAAA") == {"2001:db8::6"}
    deleted = nsupdate(running, keys.scoped, "update delete home.dyn.example AAAA")
    assert deleted.returncode == 0, deleted.stderr
    assert "ANSWER: 0" in dig(running.dns, "home.dyn.example", "AAAA")
    shown = homing(running.data, "host", "show", "home.dyn.example").stdout
    assert "A=198.51.100.6 AAAA=2001:db8::6" in shown and "rfc2136" in shown
    assert "updated   never" not in shown


def test_knsupdate_over_udp_and_tcp(running: ServerProcess, keys: Keys) -> None:
    for options, address in ((), "192.0.2.70"), (("-v",), "192.0.2.71"):
        result = nsupdate(
            running,
            keys.zone_wide,
            f"update add cam.dyn.example 120 A {address}",
            "update add www.dyn.example 120 CNAME cam.dyn.example.",
            tool="knsupdate",
            options=options,
        )
        assert result.returncode == 0, result.stderr
        assert address in addresses(running.dns, "cam.dyn.example")
    assert "cam.dyn.example." in dig(running.dns, "www.dyn.example", "A")


def test_without_a_zone_line_nsupdate_asks_signed_soa_first(
    running: ServerProcess, keys: Keys
) -> None:
    result = nsupdate(running, keys.scoped, 'update add home.dyn.example 60 TXT "hi"', zone=False)
    assert result.returncode == 0, result.stderr
    assert '"hi"' in dig(running.dns, "home.dyn.example", "TXT")


def test_prerequisite_failures_change_nothing(running: ServerProcess, keys: Keys) -> None:
    nsupdate(running, keys.scoped, "update add home.dyn.example 60 A 198.51.100.5")
    cases = {
        "prereq nxrrset home.dyn.example A": "YXRRSET",
        "prereq yxrrset home.dyn.example AAAA": "NXRRSET",
        "prereq nxdomain home.dyn.example": "YXDOMAIN",
        "prereq yxdomain nobody.dyn.example": "NXDOMAIN",
        "prereq yxrrset home.dyn.example A 203.0.113.1": "NXRRSET",
    }
    for prereq, expected in cases.items():
        result = nsupdate(
            running, keys.scoped, prereq, "update add home.dyn.example 60 A 198.51.100.99"
        )
        assert result.returncode != 0
        assert expected in result.stdout + result.stderr, (prereq, result.stderr)
    assert addresses(running.dns, "home.dyn.example") == {"198.51.100.5"}
    ok = nsupdate(
        running,
        keys.scoped,
        "prereq yxrrset home.dyn.example A 198.51.100.5",
        "update add home.dyn.example 60 A 198.51.100.99",
    )
    assert ok.returncode == 0, ok.stderr


def test_refusals(running: ServerProcess, keys: Keys, seeded: Seeded) -> None:
    name, secret = keys.scoped.split(":")[1:]
    wrong_secret = f"hmac-sha256:{name}:{'A' * 43}="
    unknown = f"hmac-sha256:nobody-key:{secret}"
    update = "update add home.dyn.example 60 A 203.0.113.66"
    checks = [
        (nsupdate(running, wrong_secret, update), "BADSIG"),
        (nsupdate(running, unknown, update), "BADKEY"),
        (nsupdate(running, None, update), "REFUSED"),
        (
            nsupdate(running, keys.scoped, "update add other.dyn.example 60 A 203.0.113.66"),
            "REFUSED",
        ),
        (
            nsupdate(running, keys.scoped, "update add home.dyn.example 60 MX 10 mx.example."),
            "REFUSED",
        ),
        (nsupdate(running, keys.scoped, "update add www.example.org 60 A 203.0.113.66"), "NOTZONE"),
        (nsupdate(running, keys.zone_wide, "update add dyn.example 60 NS ns9.example."), "REFUSED"),
    ]
    for result, expected in checks:
        assert result.returncode != 0
        assert expected in result.stdout + result.stderr, (expected, result.stderr)
    assert addresses(running.dns, "home.dyn.example") == set()
    assert addresses(running.dns, "other.dyn.example") == set()


def test_wrong_time_is_badtime(running: ServerProcess, keys: Keys) -> None:
    # knsupdate, because BIND's nsupdate does not start under libfaketime.
    result = nsupdate(
        running,
        keys.scoped,
        "update add home.dyn.example 60 A 203.0.113.67",
        tool="knsupdate",
        prefix=("env", "FAKETIME_DONT_FAKE_MONOTONIC=1", require_tool("faketime"), "-f", "-2h"),
    )
    assert result.returncode != 0
    assert "BADTIME" in result.stdout + result.stderr, result.stderr
    assert addresses(running.dns, "home.dyn.example") == set()


def test_tsig_key_management(seeded: Seeded, tmp_path: Path) -> None:
    listed = homing(seeded.data, "tsig", "list").stdout
    assert listed == ""
    out = homing(seeded.data, "tsig", "add", "k1", "--zone", "dyn.example").stdout
    assert out.strip().splitlines()[-1].startswith("hmac-sha256:k1.:")
    assert "k1." in homing(seeded.data, "tsig", "list").stdout
    homing(seeded.data, "tsig", "remove", "k1")
    assert homing(seeded.data, "tsig", "list").stdout == ""
    for args, message in (
        (("tsig", "add", "k2", "--zone", "nowhere.example"), "no zone"),
        (("tsig", "add", "k2", "--zone", "dyn.example", "--types", "NS"), "cannot be updated"),
        (("tsig", "add", "k2", "--zone", "dyn.example", "--algorithm", "hmac-md5"), "unknown"),
        (("tsig", "remove", "k9"), "no TSIG key"),
    ):
        result = homing(seeded.data, *args, check=False)
        assert result.returncode == 1 and message in result.stderr, result.stderr


def test_a_replayed_signed_update_is_refused(running: ServerProcess, keys: Keys) -> None:
    algorithm, name, secret = keys.scoped.split(":")
    key = dns.tsig.Key(name, secret, algorithm)
    add = dns.update.UpdateMessage("dyn.example", keyring=key)
    add.add("home.dyn.example.", 60, "A", "192.0.2.77")
    captured = add.to_wire()
    host, port = running.dns

    def send(wire: bytes) -> dns.message.Message:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(5)
            sock.sendto(wire, (host, port))
            reply, _ = sock.recvfrom(4096)
        return dns.message.from_wire(reply, keyring=False)

    assert send(captured).rcode() == dns.rcode.NOERROR
    assert addresses(running.dns, "home.dyn.example") == {"192.0.2.77"}
    removed = nsupdate(running, keys.scoped, "update delete home.dyn.example A")
    assert removed.returncode == 0, removed.stderr
    assert send(captured).rcode() == dns.rcode.REFUSED
    assert addresses(running.dns, "home.dyn.example") == set()
