"""DNSSEC as real validators see it: unbound with the zone's DS as trust anchor, delv, and
ldns-verify-zone on an AXFR, against ``homing serve`` signing online.

The zone is signed with ``homing dnssec enable`` while the server runs; the
DS comes from ``homing dnssec ds``. unbound must set the AD bit for an A, a
NODATA, a TXT, an NXDOMAIN, a wildcard-synthesised name and a name updated
through dyndns2 a moment before; the same unbound with a wrong DS must answer
SERVFAIL (the twin that proves the check can fail).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from support import require_tool

from .conftest import Seeded
from .dnsquery import dig, wait_for
from .secondary_servers import free_port
from .server import ServerProcess, homing

ZONE = "dyn.example"
START_TIMEOUT = 20.0


@dataclass
class Resolver:
    address: tuple[str, int]
    process: subprocess.Popen[str]
    log: Path


def _unbound(folder: Path, homing_dns: tuple[str, int], ds: str, zone: str = ZONE) -> Resolver:
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port("127.0.0.1")
    dead = free_port("127.0.0.1")
    config = folder / "unbound.conf"
    config.write_text(
        "server:\n"
        f"  interface: 127.0.0.1@{port}\n"
        "  do-not-query-localhost: no\n"
        '  username: ""\n'
        '  chroot: ""\n'
        f'  directory: "{folder}"\n'
        '  pidfile: ""\n'
        "  use-syslog: no\n"
        f'  logfile: "{folder / "unbound.log"}"\n'
        "  verbosity: 1\n"
        '  module-config: "validator iterator"\n'
        "  cache-max-ttl: 1\n"
        "  cache-max-negative-ttl: 1\n"
        f'  trust-anchor: "{ds}"\n'
        "stub-zone:\n"
        f'  name: "{zone}."\n'
        f"  stub-addr: 127.0.0.1@{homing_dns[1]}\n"
        "stub-zone:\n"
        '  name: "."\n'
        f"  stub-addr: 127.0.0.1@{dead}\n"
    )
    process = subprocess.Popen(
        [require_tool("unbound"), "-d", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        text=True,
    )
    resolver = Resolver(("127.0.0.1", port), process, folder / "unbound.log")
    wait_for(
        lambda: process.poll() is not None or "status" in dig(resolver.address, "version.bind"),
        timeout=START_TIMEOUT,
        what="unbound to answer",
    )
    assert process.poll() is None, resolver.log.read_text() if resolver.log.exists() else ""
    return resolver


@pytest.fixture
def signed(seeded: Seeded) -> Iterator[tuple[ServerProcess, str]]:
    """A running server whose zone was signed while it ran; yields it and the DS line."""
    for tool in ("unbound", "delv", "ldns-verify-zone", "dig"):
        require_tool(tool)
    server = ServerProcess(seeded.data).start()
    try:
        auth = ("home.dyn.example", seeded.token)
        reply = httpx.get(
            f"{server.url}/nic/update",
            params={"hostname": "home.dyn.example", "myip": "192.0.2.10", "wildcard": "ON"},
            auth=auth,
        )
        assert reply.text.startswith("good"), reply.text
        txt = httpx.get(
            f"{server.url}/update",
            params={"domains": "home", "token": seeded.token, "txt": "hello-dnssec"},
        )
        assert txt.text == "OK", txt.text
        enabled = homing(seeded.data, "dnssec", "enable", ZONE).stdout
        assert "key tag" in enabled
        ds = homing(seeded.data, "dnssec", "ds", ZONE).stdout.strip()
        assert ds in enabled
        wait_for(
            lambda: "RRSIG" in dig(server.dns, "+dnssec", ZONE, "DNSKEY"),
            timeout=10,
            what="the running server to sign the zone",
        )
        yield server, ds
    finally:
        assert server.stop() == 0, server.log()


def _validated(out: str) -> bool:
    flags = out.split("flags:", 1)[1].split(";", 1)[0] if "flags:" in out else ""
    return " ad" in flags


def test_unbound_validates_every_kind_of_answer(
    signed: tuple[ServerProcess, str], seeded: Seeded, tmp_path: Path
) -> None:
    server, ds = signed
    resolver = _unbound(tmp_path / "unbound", server.dns, ds)
    try:
        cases = [
            ("home.dyn.example", "A", "NOERROR", "192.0.2.10"),
            ("home.dyn.example", "MX", "NOERROR", None),
            ("home.dyn.example", "TXT", "NOERROR", "hello-dnssec"),
            ("nobody.dyn.example", "A", "NXDOMAIN", None),
            ("anything.home.dyn.example", "A", "NOERROR", "192.0.2.10"),
            (ZONE, "SOA", "NOERROR", "hostmaster"),
            (ZONE, "DNSKEY", "NOERROR", "257 3 13"),
        ]
        for name, rtype, status, expected in cases:
            out = dig(resolver.address, "+rec", "+dnssec", name, rtype)
            assert f"status: {status}" in out, out
            assert _validated(out), out
            if expected is not None:
                assert expected in out, out
        reply = httpx.get(
            f"{server.url}/nic/update",
            params={"hostname": "home.dyn.example", "myip": "192.0.2.77"},
            auth=("home.dyn.example", seeded.token),
        )
        assert reply.text == "good 192.0.2.77\n"

        def updated() -> bool:
            out = dig(resolver.address, "+rec", "+dnssec", "home.dyn.example")
            return "192.0.2.77" in out and _validated(out)

        wait_for(updated, timeout=10, what="the updated address, validated")
    finally:
        resolver.process.terminate()
        resolver.process.wait(timeout=10)


def test_a_wrong_ds_makes_unbound_refuse(signed: tuple[ServerProcess, str], tmp_path: Path) -> None:
    server, ds = signed
    digest = ds.rsplit(" ", 1)[1]
    wrong = ds[: -len(digest)] + ("0" if digest[0] != "0" else "1") + digest[1:]
    resolver = _unbound(tmp_path / "unbound-wrong", server.dns, wrong)
    try:
        out = dig(resolver.address, "+rec", "+dnssec", "home.dyn.example", "A")
        assert "status: SERVFAIL" in out, out
    finally:
        resolver.process.terminate()
        resolver.process.wait(timeout=10)


def test_delv_and_ldns_verify_zone(
    signed: tuple[ServerProcess, str], seeded: Seeded, tmp_path: Path
) -> None:
    server, ds = signed
    _, _, _, _, tag, algorithm, digest_type, digest = ds.split()
    anchors = tmp_path / "anchors.conf"
    anchors.write_text(
        f'trust-anchors {{ {ZONE}. static-ds {tag} {algorithm} {digest_type} "{digest}"; }};\n'
    )
    for name in ("home.dyn.example", "nobody.dyn.example"):
        result = subprocess.run(
            [
                require_tool("delv"),
                f"@{server.dns[0]}",
                "-p",
                str(server.dns[1]),
                "-a",
                str(anchors),
                f"+root={ZONE}",
                name,
                "A",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert "fully validated" in result.stdout + result.stderr, result.stdout + result.stderr
    homing(seeded.data, "secondary", "add", ZONE, "127.0.0.1:53")
    _verify_axfr(server, ZONE, tmp_path / "axfr.zone")


def _verify_axfr(server: ServerProcess, zone: str, zone_file: Path) -> str:
    """ldns-verify-zone accepts an AXFR of ``zone`` (every signature and the NSEC3 chain)."""
    axfr = dig(server.dns, zone, "AXFR")
    zone_file.write_text(
        "".join(line + "\n" for line in axfr.splitlines() if line and line[0] != ";")
    )
    assert "NSEC3" in zone_file.read_text()
    verify = subprocess.run(
        [require_tool("ldns-verify-zone"), str(zone_file)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    return zone_file.read_text()


ROLL_ZONE = "roll.example"
ROLL_TTL = 2
"""The zone's TTL, and the propagation delay and parent DS TTL the server is given: a
rollover's waits are made of them, so the whole rollover takes seconds."""


def _dnskey_tags(server: ServerProcess) -> set[int]:
    """The tags of the keys that sign the DNSKEY set as served."""
    answer = dig(server.dns, "+dnssec", ROLL_ZONE, "DNSKEY")
    fields = [line.split() for line in answer.splitlines() if line and line[0] != ";"]
    return {int(f[10]) for f in fields if f[3:5] == ["RRSIG", "DNSKEY"]}


def test_a_key_rollover_keeps_unbound_validating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """unbound with the old DS validates before, during and after the double-signed phase;
    with the new DS from the moment the parent may get it; ldns-verify-zone accepts the zone
    while both keys sign; once the old key is gone, the old DS fails (the twin)."""
    for tool in ("unbound", "ldns-verify-zone", "dig"):
        require_tool(tool)
    monkeypatch.setenv("HOMING_DNSSEC_PROPAGATION_SECONDS", "1")
    monkeypatch.setenv("HOMING_DNSSEC_PARENT_DS_TTL_SECONDS", "1")
    data = tmp_path / "data"
    homing(data, "zone", "add", ROLL_ZONE, "--ns", f"ns1.{ROLL_ZONE}", "--ttl", str(ROLL_TTL))
    homing(data, "secondary", "add", ROLL_ZONE, "127.0.0.1:53")
    server = ServerProcess(data).start()
    resolvers: list[Resolver] = []

    def all_validate(resolver: Resolver) -> None:
        for name, rtype, status in (
            (ROLL_ZONE, "SOA", "NOERROR"),
            (f"a.{ROLL_ZONE}", "A", "NXDOMAIN"),
        ):
            out = dig(resolver.address, "+rec", "+dnssec", name, rtype)
            assert f"status: {status}" in out and _validated(out), out

    try:
        enabled = homing(data, "dnssec", "enable", ROLL_ZONE).stdout
        old_ds = enabled.strip().splitlines()[-1]
        old_tag = int(old_ds.split()[4])
        wait_for(lambda: _dnskey_tags(server) == {old_tag}, timeout=10, what="a signed zone")
        with_old = _unbound(tmp_path / "unbound-old", server.dns, old_ds, ROLL_ZONE)
        resolvers.append(with_old)
        all_validate(with_old)

        started = homing(data, "dnssec", "rollover", ROLL_ZONE).stdout
        assert "rollover: publish" in started, started
        [new_tag] = [
            int(line.split()[1][:-1])
            for line in started.splitlines()
            if line.endswith(", published")
        ]
        wait_for(
            lambda: _dnskey_tags(server) == {old_tag, new_tag},
            timeout=10,
            what="both keys to sign the DNSKEY set",
        )
        all_validate(with_old)
        signed_twice = _verify_axfr(server, ROLL_ZONE, tmp_path / "rollover.zone")
        assert f" {old_tag} " in signed_twice and f" {new_tag} " in signed_twice

        # After the DNSKEY TTL and the propagation delay the server moves CDS by itself.
        wait_for(
            lambda: f"CDS\t{new_tag} " in dig(server.dns, ROLL_ZONE, "CDS"),
            timeout=20,
            what="CDS to name the new key",
        )
        status = homing(data, "dnssec", "status", ROLL_ZONE).stdout
        new_ds = next(line[4:] for line in status.splitlines() if line.startswith("DS: "))
        assert int(new_ds.split()[4]) == new_tag
        assert "rollover: submit" in status, status
        assert f"put this DS at the parent in place of the old one: {new_ds}" in status, status
        # The parent may now have either DS: a resolver with each validates.
        all_validate(with_old)
        with_new = _unbound(tmp_path / "unbound-new", server.dns, new_ds, ROLL_ZONE)
        resolvers.append(with_new)
        all_validate(with_new)

        completed = homing(data, "dnssec", "rollover", ROLL_ZONE, "--complete").stdout
        assert "rollover: retire" in completed, completed
        all_validate(with_old)
        wait_for(lambda: _dnskey_tags(server) == {new_tag}, timeout=20, what="the old key to go")
        all_validate(with_new)
        # The twin: once the old key is gone, its DS no longer validates anything.
        wait_for(
            lambda: (
                "status: SERVFAIL" in dig(with_old.address, "+rec", "+dnssec", ROLL_ZONE, "SOA")
            ),
            timeout=15,
            what="the old anchor to fail",
        )
    finally:
        for resolver in resolvers:
            resolver.process.terminate()
            resolver.process.wait(timeout=10)
        assert server.stop() == 0, server.log()
