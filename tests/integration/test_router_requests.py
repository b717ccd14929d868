"""Every router's update request, byte for byte, against the real server; DNS asked afterwards.

Each shape is taken from the firmware's own documentation or source (cited
per case). The request goes to ``homing serve`` on loopback as raw bytes (see
``routers.py``); the answer line is checked, then the name is asked over real
DNS, so a request that is answered ``good`` but published nothing fails.
Cases that share a host run in order (OpenWrt's two deSEC services, one per
address family, must leave both records in place).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from homing.config import Settings
from homing.core.admin import Admin
from homing.store.store import Store

from .dnsquery import addresses
from .routers import Answer, basic, send
from .server import ServerProcess, homing

PASSWORD = "alice-password"
ZONE = "dyn.example"
HOSTS = (
    "fritz",
    "nas",
    "openwrt",
    "pfsense",
    "opnsense",
    "synology",
    "synocustom",
    "mikrotik",
    "unifi",
    "ddwrt",
    "ddnsupdater",
    "desecstyle",
    "absolute",
    "posted",
    "placeholder",
)


@dataclass(frozen=True)
class Router:
    """A server with one host per case and each host's update token."""

    server: ServerProcess
    port: int
    tokens: dict[str, str]


async def _seed(data: Path) -> dict[str, str]:
    store = await Store.open(Settings(data_dir=data).database)
    try:
        admin = Admin(store=store, origin="seed")
        await admin.add_zone(ZONE, nameservers=[f"ns1.{ZONE}"])
        await admin.add_user("alice", password=PASSWORD)
        tokens = {}
        for label in HOSTS:
            _, tokens[label] = await admin.add_host(f"{label}.{ZONE}", owner="alice")
        return tokens
    finally:
        await store.close()


@pytest.fixture(scope="module")
def router(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Router]:
    data = tmp_path_factory.mktemp("routers") / "data"
    data.mkdir()
    tokens = asyncio.run(_seed(data))
    # The NAS behind the FRITZ!Box keeps ::11 behind whatever prefix the box announces.
    homing(data, "host", "set", f"nas.{ZONE}", "--ipv6-interface-id", "::11")
    server = ServerProcess(data).start()
    try:
        yield Router(server=server, port=int(server.url.rsplit(":", 1)[1]), tokens=tokens)
    finally:
        assert server.stop() == 0, server.log()


@dataclass(frozen=True)
class Shape:
    """One request as a firmware sends it, what it must be answered, and DNS afterwards."""

    name: str
    source: str
    """Where the shape comes from (documentation page or source file)."""
    host: str
    target: str
    """The request target; ``{host}``, ``{token}``, ``{port}`` are filled in."""
    expected: str
    ipv4: set[str] = field(default_factory=set)
    ipv6: set[str] = field(default_factory=set)
    auth: str = "basic"
    """``basic`` (header up front), ``challenge`` (only after a 401), ``query`` or ``token``."""
    version: str = "HTTP/1.1"
    method: str = "GET"
    agent: str = "Mozilla/5.0"


SHAPES = [
    Shape(
        name="fritzbox-user-defined-dual-stack",
        source="AVM knowledge base 'Setting up dynamic DNS in the FRITZ!Box' (user-defined "
        "provider: <domain>, <ipaddr>, <ip6addr>, <username>, <pass>; values are not "
        "URL-escaped, see asheiduk.de 'Fritz!Box DynDNS - some gory details'); the extra "
        "&_ip6addr= is FRITZ!Box users' workaround, a parameter no spec defines",
        host="fritz",
        target="/nic/update?hostname={host}&myip=198.51.100.1,2001:db8:f:1::1"
        "&_ip6addr=2001:db8:f:1::1",
        expected="good 198.51.100.1,2001:db8:f:1::1",
        ipv4={"198.51.100.1"},
        ipv6={"2001:db8:f:1::1"},
        agent="Fritz!Box DDNS/1.0.1",
    ),
    Shape(
        name="fritzbox-ip6lanprefix-for-a-nas",
        source="AVM help 'DynDNS' placeholders: <ip6lanprefix> is the LAN prefix with its "
        "length (2001:db8:f:1::/64); credentials as query parameters <username>/<pass>",
        host="nas",
        target="/nic/update?hostname={host}&myip=198.51.100.1,2001:db8:f:1::/64"
        "&username=alice&password=" + PASSWORD,
        expected="good 198.51.100.1,2001:db8:f:1::11",
        ipv4={"198.51.100.1"},
        ipv6={"2001:db8:f:1::11"},
        auth="query",
        agent="Fritz!Box DDNS/1.0.1",
    ),
    Shape(
        name="openwrt-ddns-scripts-desec-ipv6-service",
        source="openwrt/packages net/ddns-scripts/files/usr/share/ddns/default/desec.io.json "
        "(ipv6: /update?username=[USERNAME]&password=[PASSWORD]&hostname=[DOMAIN]"
        "&myipv6=[IP]&myipv4=preserve)",
        host="openwrt",
        target="/update?username=alice&password=" + PASSWORD + "&hostname={host}"
        "&myipv6=2001:db8:0:6::6&myipv4=preserve",
        expected="good 2001:db8:0:6::6",
        ipv6={"2001:db8:0:6::6"},
        auth="query",
        agent="curl/7.88.1",
    ),
    Shape(
        name="openwrt-ddns-scripts-desec-ipv4-service",
        source="openwrt/packages desec.io.json (ipv4: ...&myipv4=[IP]&myipv6=preserve): "
        "the AAAA of the IPv6 service stays",
        host="openwrt",
        target="/update?username=alice&password=" + PASSWORD + "&hostname={host}"
        "&myipv4=203.0.113.4&myipv6=preserve",
        expected="good 203.0.113.4",
        ipv4={"203.0.113.4"},
        ipv6={"2001:db8:0:6::6"},
        auth="query",
        agent="curl/7.88.1",
    ),
    Shape(
        name="deSEC-empty-family-removes-it",
        source="deSEC docs 'IP Update API': a parameter given with an empty value removes "
        "that family's record",
        host="openwrt",
        target="/update?hostname={host}&myipv4=203.0.113.4&myipv6=",
        expected="good 203.0.113.4",
        ipv4={"203.0.113.4"},
    ),
    Shape(
        name="pfsense-custom",
        source="pfSense dyndns.class, type custom: %IP% replaced in the URL, curl with "
        "CURLOPT_USERPWD and CURLAUTH_ANY (credentials sent after the 401 challenge)",
        host="pfsense",
        target="/nic/update?hostname={host}&myip=203.0.113.20",
        expected="good 203.0.113.20",
        ipv4={"203.0.113.20"},
        auth="challenge",
        agent="pfSense",
    ),
    Shape(
        name="opnsense-custom-desec-style",
        source="opnsense/plugins issue 5232: custom service URL "
        "?hostname=<hostname>&myip=__MYIP__&myipv6=preserve",
        host="opnsense",
        target="/update?hostname={host}&myip=203.0.113.21&myipv6=preserve",
        expected="good 203.0.113.21",
        ipv4={"203.0.113.21"},
        agent="OPNsense",
    ),
    Shape(
        name="synology-builtin-dyndns",
        source="Dyn remote access API 'Perform update' as Synology DSM's DynDNS provider "
        "sends it: system=dyndns, wildcard/mx/backmx=NOCHG, Basic auth",
        host="synology",
        target="/nic/update?system=dyndns&hostname={host}&myip=203.0.113.22"
        "&wildcard=NOCHG&mx=NOCHG&backmx=NOCHG",
        expected="good 203.0.113.22",
        ipv4={"203.0.113.22"},
        agent="Synology",
    ),
    Shape(
        name="synology-custom-provider",
        source="Synology DSM 'Customize provider' query URL with __HOSTNAME__, __MYIP__, "
        "__USERNAME__, __PASSWORD__ (kb.synology.com DSM AdminCenter connection_ddns)",
        host="synocustom",
        target="/nic/update?hostname={host}&myip=203.0.113.23&username=alice&password=" + PASSWORD,
        expected="good 203.0.113.23",
        ipv4={"203.0.113.23"},
        auth="query",
        agent="Synology",
    ),
    Shape(
        name="mikrotik-tool-fetch",
        source="RouterOS /tool fetch mode=http user= password= "
        'url="http://.../nic/update\\3Fhostname=H&myip=IP" keep-result=no '
        "(Lillecarl/ROS_Scripts DDNS/No-IP_Updater.rsc)",
        host="mikrotik",
        target="/nic/update?hostname={host}&myip=203.0.113.24",
        expected="good 203.0.113.24",
        ipv4={"203.0.113.24"},
        auth="challenge",
        agent="Mikrotik/6.x Fetch",
    ),
    Shape(
        name="unifi-inadyn-custom",
        source="troglobit/inadyn custom provider ddns-path '/nic/update?hostname=%h&myip=%i' "
        "as UniFi's dynamic DNS writes it: HTTP/1.0, Basic auth up front",
        host="unifi",
        target="/nic/update?hostname={host}&myip=203.0.113.25",
        expected="good 203.0.113.25",
        ipv4={"203.0.113.25"},
        version="HTTP/1.0",
        agent="inadyn/2.10.0",
    ),
    Shape(
        name="ddwrt-inadyn-url-ending-in-question-mark",
        source="troglobit/inadyn plugins/generic.c: 'GET %s%s HTTP/1.0' appends the host "
        "name to a custom URL (DD-WRT's 'Custom' DDNS ends it in '?'); no address: the "
        "caller's own",
        host="ddwrt",
        target="/nic/update?{host}",
        expected="good 127.0.0.1",
        ipv4={"127.0.0.1"},
        version="HTTP/1.0",
        agent="inadyn/2.9.1",
    ),
    Shape(
        name="ddns-updater-dyn",
        source="qdm12/ddns-updater internal/provider/providers/dyn/provider.go: "
        "/v3/update?hostname=&myip= with Basic auth",
        host="ddnsupdater",
        target="/v3/update?hostname={host}&myip=2001:db8:0:7::7",
        expected="good 2001:db8:0:7::7",
        ipv6={"2001:db8:0:7::7"},
        agent="DDNS-Updater quentin.mcgaw@gmail.com",
    ),
    Shape(
        name="ddns-updater-desec-host-login",
        source="qdm12/ddns-updater internal/provider/providers/desec/provider.go: "
        "/nic/update?hostname=&myip= with the host name as login and the token as password",
        host="desecstyle",
        target="/nic/update?hostname={host}&myip=203.0.113.27",
        expected="good 203.0.113.27",
        ipv4={"203.0.113.27"},
        auth="token",
    ),
    Shape(
        name="deSEC-hostname-YES-means-the-login's-host",
        source="deSEC docs 'IP Update API': hostname may be omitted (or YES) when the "
        "login names the host",
        host="desecstyle",
        target="/update?hostname=YES&myipv4=203.0.113.28",
        expected="good 203.0.113.28",
        ipv4={"203.0.113.28"},
        auth="token",
    ),
    Shape(
        name="absolute-uri-request-line",
        source="RFC 9112 3.2.2 absolute-form, as routers that talk through a proxy send it",
        host="absolute",
        target="http://127.0.0.1:{port}/nic/update?hostname={host}&myip=203.0.113.29",
        expected="good 203.0.113.29",
        ipv4={"203.0.113.29"},
    ),
    Shape(
        name="post-with-query",
        source="Google Domains' dyndns2 description: a POST (GET also allowed) to /nic/update",
        host="posted",
        target="/nic/update?hostname={host}&myip=203.0.113.30",
        expected="good 203.0.113.30",
        ipv4={"203.0.113.30"},
        method="POST",
    ),
    Shape(
        name="unfilled-placeholder-is-badinput",
        source="issue 10: a router that sent its unfilled placeholder myip=<ipaddr>",
        host="placeholder",
        target="/nic/update?hostname={host}&myip=<ipaddr>",
        expected="badinput myip: not an IP address: '<ipaddr>'",
        agent="Fritz!Box DDNS/1.0.1",
    ),
]


def _send(router: Router, shape: Shape) -> Answer:
    fqdn = f"{shape.host}.{ZONE}"
    target = shape.target.format(host=fqdn, token=router.tokens[shape.host], port=router.port)
    headers = {"User-Agent": shape.agent}
    if shape.auth == "basic":
        headers.update(basic("alice", PASSWORD))
    elif shape.auth == "token":
        headers.update(basic(fqdn, router.tokens[shape.host]))
    elif shape.auth == "challenge":
        first = send(router.port, target, method=shape.method, version=shape.version)
        assert first.status == 401, first
        assert first.headers["www-authenticate"].startswith("Basic realm=")
        headers.update(basic("alice", PASSWORD))
    return send(router.port, target, method=shape.method, version=shape.version, headers=headers)


def test_every_router_shape_is_answered_and_published(router: Router) -> None:
    for shape in SHAPES:
        answer = _send(router, shape)
        assert (answer.status, answer.body.strip()) == (200, shape.expected), shape.name
        fqdn = f"{shape.host}.{ZONE}"
        assert addresses(router.server.dns, fqdn, "A") == shape.ipv4, shape.name
        assert addresses(router.server.dns, fqdn, "AAAA") == shape.ipv6, shape.name


def test_badinput_is_in_the_history_and_no_secret_reaches_log_or_history(
    router: Router,
) -> None:
    for shape in SHAPES:
        if shape.auth == "query" or shape.name.startswith("unfilled"):
            _send(router, shape)
    shown = homing(router.server.data, "host", "show", f"placeholder.{ZONE}").stdout
    assert "badinput" in shown and "<ipaddr>" in shown
    history = homing(router.server.data, "host", "show", f"nas.{ZONE}").stdout
    assert PASSWORD not in history
    assert PASSWORD not in router.server.log()
