"""IPv6 prefix updates over the real server, checked with the real dig.

A router announces its new prefix; its own AAAA keeps its interface
identifier, hosts that follow it move in the same transaction (their
configured identifiers behind the new prefix, the router's IPv4 address), a
re-sent prefix is ``nochg`` and never ``abuse``, and bad input changes
nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from .dnsquery import dig, wait_for
from .routers import basic, send
from .server import ServerProcess, homing

AUTH = basic("alice", "alice-password")


@dataclass(frozen=True)
class Network:
    server: ServerProcess
    port: int

    def update(self, query: str) -> str:
        return send(self.port, f"/nic/update?{query}", headers=AUTH).body.strip()

    def dig(self, name: str, rtype: str) -> list[str]:
        return sorted(dig(self.server.dns, "+short", f"{name}.dyn.example", rtype).split())


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    tmp_path = tmp_path_factory.mktemp("prefixes")
    data = tmp_path / "data"
    homing(data, "zone", "add", "dyn.example", "--ns", "ns1.dyn.example")
    for user in ("alice", "bob"):
        homing(data, "user", "add", user, "--password-stdin", stdin=f"{user}-password\n")
    for host in ("home", "nas", "cam", "lab", "empty"):
        homing(data, "host", "add", f"{host}.dyn.example", "--owner", "alice")
    homing(data, "host", "add", "bobs.dyn.example", "--owner", "bob")
    shown = homing(
        data,
        "host",
        "set",
        "nas.dyn.example",
        "--follows",
        "home.dyn.example",
        "--ipv6-interface-id",
        "::11",
    ).stdout
    assert "follows home.dyn.example" in shown and "interface id ::11" in shown
    # A /56 host: its identifier carries the subnet (01) as well as the interface bits.
    homing(
        data,
        "host",
        "set",
        "cam.dyn.example",
        "--follows",
        "home.dyn.example",
        "--ipv6-interface-id",
        "0:0:0:1::12",
        "--ipv6-prefix-length",
        "56",
    )
    config = tmp_path / "homing.toml"
    config.write_text("nochg_limit = 2\n")
    server = ServerProcess(data, config=config).start()
    try:
        yield Network(server=server, port=int(server.url.rsplit(":", 1)[1]))
    finally:
        assert server.stop() == 0, server.log()


def test_another_owners_host_cannot_be_followed(network: Network) -> None:
    refused = homing(
        network.server.data,
        "host",
        "set",
        "bobs.dyn.example",
        "--follows",
        "home.dyn.example",
        check=False,
    )
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "error: bobs.dyn.example. cannot follow home.dyn.example.: another owner's host"
    )


def test_followers_move_with_the_router_and_keep_their_identifiers(network: Network) -> None:
    assert network.update("hostname=home.dyn.example&myip=198.51.100.9,2001:db8:1:200::1") == (
        "good 198.51.100.9,2001:db8:1:200::1"
    )
    assert network.dig("home", "AAAA") == ["2001:db8:1:200::1"]
    assert network.dig("nas", "A") == ["198.51.100.9"]
    assert network.dig("nas", "AAAA") == ["2001:db8:1:200::11"]
    assert network.dig("cam", "AAAA") == ["2001:db8:1:201::12"]

    # The FRITZ!Box way: <ipaddr>,<ip6lanprefix>. The router's own AAAA keeps ::1.
    prefix_update = "hostname=home.dyn.example&myip=198.51.100.10,2001:db8:9:900::/64"
    assert network.update(prefix_update) == "good 198.51.100.10,2001:db8:9:900::1"
    assert network.dig("home", "AAAA") == ["2001:db8:9:900::1"]
    assert network.dig("nas", "A") == ["198.51.100.10"]
    assert network.dig("nas", "AAAA") == ["2001:db8:9:900::11"]
    assert network.dig("cam", "AAAA") == ["2001:db8:9:901::12"]
    assert network.dig("bobs", "AAAA") == []

    # Re-sent every few minutes, the same prefix is nochg, however often (nochg_limit is 2).
    for _ in range(5):
        assert network.update(prefix_update) == "nochg 198.51.100.10,2001:db8:9:900::1"

    history = homing(network.server.data, "host", "show", "nas.dyn.example").stdout
    assert "AAAA=2001:db8:9:900::11 (follows home.dyn.example.)" in history
    router = homing(network.server.data, "host", "show", "home.dyn.example").stdout
    assert "followers cam.dyn.example. nas.dyn.example." in router


def test_a_prefix_keeps_each_records_identifier(network: Network) -> None:
    assert network.update(
        "hostname=lab.dyn.example&myip=2001:db8:1:2:aaaa:bbbb:cccc:dddd"
    ).startswith("good")
    assert network.update("hostname=lab.dyn.example&myipv6=2001:db8:ff:ee00::/56") == (
        "good 2001:db8:ff:ee02:aaaa:bbbb:cccc:dddd"
    )
    assert network.dig("lab", "AAAA") == ["2001:db8:ff:ee02:aaaa:bbbb:cccc:dddd"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "hostname=empty.dyn.example&myip=2001:db8:1::/64",
            "badinput a prefix (2001:db8:1::/64) needs an AAAA record or an IPv6 interface "
            "identifier on the host to keep",
        ),
        (
            "hostname=home.dyn.example&myip=2001:db8::/129",
            "badinput myip: prefix length 129 is outside 1-128",
        ),
        (
            "hostname=home.dyn.example&myip=198.51.100.0/24",
            "badinput myip: an IPv4 address takes no prefix length: '198.51.100.0/24'",
        ),
        (
            "hostname=home.dyn.example&myipv6=preserve,2001:db8::1",
            "badinput myipv6: preserve stands alone, not in a list",
        ),
        (
            "hostname=home.dyn.example&myip=<ipaddr>,<ip6lanprefix>",
            "badinput myip: not an IP address: '<ipaddr>'",
        ),
        (
            "hostname=home.dyn.example&myip=2001:db8::/abc",
            "badinput myip: not a prefix length: 'abc'",
        ),
    ],
)
def test_bad_input_is_a_clear_badinput_and_changes_nothing(
    network: Network, query: str, expected: str
) -> None:
    names = ("home", "nas", "lab", "empty")
    before = {name: (network.dig(name, "A"), network.dig(name, "AAAA")) for name in names}
    assert network.update(query) == expected
    assert {name: (network.dig(name, "A"), network.dig(name, "AAAA")) for name in names} == before
    shown = homing(network.server.data, "host", "show", query.split("&")[0].split("=")[1]).stdout
    assert "badinput" in shown


def test_a_host_that_starts_following_resolves_at_once(network: Network) -> None:
    assert network.update("hostname=home.dyn.example&myip=198.51.100.11,2001:db8:3:300::1") == (
        "good 198.51.100.11,2001:db8:3:300::1"
    )
    homing(network.server.data, "host", "add", "late.dyn.example", "--owner", "alice")
    homing(
        network.server.data,
        "host",
        "set",
        "late.dyn.example",
        "--follows",
        "home",
        "--ipv6-interface-id",
        "::77",
    )
    wait_for(
        lambda: network.dig("late", "AAAA") == ["2001:db8:3:300::77"],
        timeout=10,
        what="the new follower in DNS",
    )
    assert network.dig("late", "A") == ["198.51.100.11"]
