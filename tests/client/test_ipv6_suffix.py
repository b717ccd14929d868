"""``ipv6_suffix``: a name publishes the detected prefix with its own identifier (issue 10)."""

from __future__ import annotations

import asyncio
import ipaddress
from pathlib import Path

import pytest

from homing.client.addresses import Addresses, Family
from homing.client.config import load_client_config
from homing.client.daemon import Client
from homing.client.detect.interface import InterfaceSettings, InterfaceSource
from homing.client.ipv6_suffix import Ipv6Suffix, parse_suffix
from homing.client.options import ConfigText, Options
from homing.errors import ConfigError

from ..integration.dnsquery import addresses
from ..integration.server import ServerProcess, homing
from .netns import ip_in, namespace
from .standins import wait_until

V4 = ipaddress.IPv4Address("93.184.216.34")


def _options(values: dict[str, object], tmp_path: Path) -> Options:
    text = ConfigText(tmp_path / "client.toml", "")
    return Options(values, text=text, table="update", environ={})


def test_suffix_forms(tmp_path: Path) -> None:
    sys_net = tmp_path / "net"
    (sys_net / "eth0").mkdir(parents=True)
    (sys_net / "eth0" / "address").write_text("00:11:22:33:44:55\n")
    cases = {
        "::11": Ipv6Suffix(identifier=ipaddress.IPv6Address("::11")),
        "::72ad:8fbb:a54e:bedd/56": Ipv6Suffix(
            identifier=ipaddress.IPv6Address("::72ad:8fbb:a54e:bedd"), prefix_length=56
        ),
        "00-11-22-33-44-55": Ipv6Suffix(identifier=ipaddress.IPv6Address("::211:22ff:fe33:4455")),
    }
    for text, expected in cases.items():
        assert parse_suffix(_options({"ipv6_suffix": text}, tmp_path)) == expected
    from_interface = parse_suffix(
        _options({"ipv6_suffix_interface": "eth0"}, tmp_path), sys_class_net=sys_net
    )
    assert from_interface == Ipv6Suffix(identifier=ipaddress.IPv6Address("::211:22ff:fe33:4455"))
    assert parse_suffix(_options({}, tmp_path)) is None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"ipv6_suffix": "::11", "ipv6_suffix_interface": "eth0"}, "give ipv6_suffix or"),
        ({"ipv6_suffix": "::"}, "names no interface"),
        ({"ipv6_suffix": "<suffix>"}, "not an interface identifier"),
        ({"ipv6_suffix": "::11/129"}, "not a prefix length"),
        ({"ipv6_suffix_interface": "../etc"}, "no interface '../etc'"),
        ({"ipv6_suffix": "::11", "ipv6_prefix_length": 0}, "must be between 1 and 128"),
    ],
)
def test_bad_suffixes_name_the_key(tmp_path: Path, values: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_suffix(_options(values, tmp_path), sys_class_net=tmp_path)


def test_apply_moves_only_the_ipv6_address() -> None:
    suffix = Ipv6Suffix(identifier=ipaddress.IPv6Address("::99"), prefix_length=64)
    detected = Addresses(ipv4=V4, ipv6=ipaddress.IPv6Address("2001:db8:1:2:aaaa::5"))
    assert suffix.apply(detected) == Addresses(
        ipv4=V4, ipv6=ipaddress.IPv6Address("2001:db8:1:2::99")
    )
    assert suffix.apply(Addresses(ipv4=V4)) == Addresses(ipv4=V4)


def _client_config(tmp_path: Path, server: ServerProcess, token: str) -> Path:
    path = tmp_path / "client.toml"
    path.write_text(
        f'state_file = "{tmp_path / "state.json"}"\n'
        "public_only = false\n"
        '[ipv6]\nsource = "interface"\ninterface = "veth0"\n'
        # The router's own name, at Homing: the prefix goes along, so nas.dyn.example follows.
        "[[update]]\n"
        'provider = "homing"\n'
        f'server = "{server.url}"\n'
        'username = "alice"\n'
        f'token = "{token}"\n'
        'names = ["home.dyn.example"]\n'
        # A printer without a client of its own: the same prefix, its own suffix.
        "[[update]]\n"
        'provider = "dyndns2"\n'
        f'server = "{server.url}"\n'
        'username = "alice"\n'
        'password = "alice-password"\n'
        'names = ["printer.dyn.example"]\n'
        'ipv6_suffix = "::99"\n'
    )
    return path


async def test_client_publishes_prefix_and_suffix_as_the_prefix_changes(
    tmp_path: Path, served: tuple[ServerProcess, str]
) -> None:
    server, token = served
    data = server.data
    for host in ("printer", "nas"):
        homing(data, "host", "add", f"{host}.dyn.example", "--owner", "alice")
    homing(
        data,
        "host",
        "set",
        "nas.dyn.example",
        "--follows",
        "home.dyn.example",
        "--ipv6-interface-id",
        "::11",
    )
    config = load_client_config(_client_config(tmp_path, server, token))

    def aaaa(name: str) -> set[str]:
        return addresses(server.dns, f"{name}.dyn.example", "AAAA")

    with namespace() as netns:
        settings = config.sources[Family.IPV6]
        assert isinstance(settings, InterfaceSettings)
        source = InterfaceSource(
            settings=settings, family=Family.IPV6, public_only=False, netns=netns
        )
        stop = asyncio.Event()
        async with Client(config, sources={Family.IPV6: source}) as client:
            runner = asyncio.create_task(client.run(stop))
            for prefix in ("2001:db8:1:2", "2001:db8:7:8"):
                ip_in(netns, "addr", "flush", "dev", "veth0")
                ip_in(netns, "addr", "add", f"{prefix}::5/64", "dev", "veth0", "nodad")
                expected = {
                    "home": {f"{prefix}::5"},
                    "printer": {f"{prefix}::99"},
                    "nas": {f"{prefix}::11"},
                }
                await wait_until(
                    lambda e=expected: all(aaaa(n) == want for n, want in e.items()),  # type: ignore[misc]
                    what=f"every name in {prefix}::/64",
                )
            stop.set()
            await asyncio.wait_for(runner, 10)
