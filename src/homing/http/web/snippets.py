"""Ready-to-paste client configuration for one host, for the clients people actually run.

Every snippet authenticates with the host name as login and an update
token as password (dyndns2), or the token alone (DuckDNS); the server part
comes from the public URL. Right after a token is created it is filled in;
otherwise a placeholder stands where it goes, because tokens are stored
only as hashes and cannot be shown again.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

TOKEN_PLACEHOLDER = "YOUR-UPDATE-TOKEN"  # noqa: S105 - a placeholder, not a secret


@dataclass(frozen=True, slots=True, kw_only=True)
class Snippet:
    key: str
    title: str
    hint: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Server:
    """Where clients reach us: ``https://ddns.example.net`` split the ways clients want it."""

    scheme: str
    netloc: str
    path: str

    @classmethod
    def from_url(cls, url: str) -> Server:
        parts = urlsplit(url.rstrip("/"))
        return cls(scheme=parts.scheme, netloc=parts.netloc, path=parts.path)

    @property
    def base(self) -> str:
        return f"{self.scheme}://{self.netloc}{self.path}"

    @property
    def tls(self) -> bool:
        return self.scheme == "https"

    def with_login(self, login: str) -> str:
        """The base URL with credentials in it, as routers' URL templates want."""
        return f"{self.scheme}://{login}@{self.netloc}{self.path}"

    @property
    def host(self) -> str:
        return urlsplit(self.base).hostname or ""

    @property
    def on_loopback(self) -> bool:
        """A demo or test server: its clients see loopback, not public, addresses."""
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return self.host == "localhost"


def dns_server(server: Server, listening: tuple[tuple[str, int], ...]) -> str:
    """The provider's DNS server as a client's ``dns_server``: the address the DNS server
    listens on when it is one address, else this server's host name; ``:port`` unless 53."""
    host, port = server.host, 53
    if listening:
        bound, port = listening[0]
        if not ipaddress.ip_address(bound).is_unspecified:
            host = bound
    shown = f"[{host}]" if ":" in host else host
    return shown if port == 53 else f"{shown}:{port}"


DEMO_ADDRESS = "192.0.2.10"
CLIENT_STATE = "~/.local/state/homing-client/state.json"
"""Writable by the user who pastes the snippet (the default, /var/lib/..., needs root)."""


def snippets(*, server: Server, fqdn: str, user: str, token: str | None, dns: str) -> list[Snippet]:
    """Configuration for ``fqdn`` (no trailing dot) in every supported client; ``dns`` is
    the provider's DNS server (``dns_server`` above)."""
    secret = token or TOKEN_PLACEHOLDER
    # A demo server on loopback sees its clients at 127.0.0.1, which no name may carry: its
    # snippet publishes a documentation address instead, and says what a real one uses.
    demo = server.on_loopback
    prelude = "public_only = false  # a demo server on loopback\n" if demo else ""
    ipv4 = (
        '# source = "web" on a real server; this demo publishes a test address\n'
        'source = "command"\n'
        f'command = ["echo", "{DEMO_ADDRESS}"]\n'
        if demo
        else 'source = "web"\n'
    )
    base = server.base
    quoted = quote(secret, safe="")
    yes_no = "yes" if server.tls else "no"
    true_false = "true" if server.tls else "false"
    return [
        Snippet(
            key="curl",
            title="curl",
            hint="Sets the address this request comes from; add &myip=ADDRESS to choose it.",
            text=f"curl -u '{fqdn}:{secret}' '{base}/nic/update?hostname={fqdn}'",
        ),
        Snippet(
            key="homing",
            title="homing client",
            hint="~/.config/homing/client.toml, then: homing client check --config FILE, "
            "and homing client run --config FILE (it asks the DNS server below, so it works "
            "before the zone is delegated)",
            text=(
                f'state_file = "{CLIENT_STATE}"\n'
                f"{prelude}"
                "\n"
                "[ipv4]\n"
                f"{ipv4}"
                "\n"
                "# [ipv6]\n"
                '# source = "interface"\n'
                "\n"
                "[[update]]\n"
                'provider = "homing"\n'
                f'server = "{base}"\n'
                f'username = "{user}"\n'
                f'token = "{secret}"\n'
                f'names = ["{fqdn}"]\n'
                f'dns_server = "{dns}"\n'
            ),
        ),
        Snippet(
            key="ddclient",
            title="ddclient",
            hint="/etc/ddclient.conf",
            text=(
                "protocol=dyndns2\n"
                f"use=web, web={base}/checkip\n"
                f"server={server.netloc}\n"
                f"ssl={yes_no}\n"
                f"login={fqdn}\n"
                f"password='{secret}'\n"
                f"{fqdn}\n"
            ),
        ),
        Snippet(
            key="inadyn",
            title="inadyn",
            hint="/etc/inadyn.conf (inadyn 2.x)",
            text=(
                "custom homing {\n"
                f"    ssl            = {true_false}\n"
                f"    ddns-server    = {server.netloc}\n"
                '    ddns-path      = "/nic/update?hostname=%h&myip=%i"\n'
                f"    checkip-server = {server.netloc}\n"
                "    checkip-path   = /ip\n"
                f"    checkip-ssl    = {true_false}\n"
                f"    username       = {fqdn}\n"
                f"    password       = {secret}\n"
                f"    hostname       = {fqdn}\n"
                "}\n"
            ),
        ),
        Snippet(
            key="openwrt",
            title="OpenWrt (ddns-scripts)",
            hint="/etc/config/ddns, then: /etc/init.d/ddns restart",
            text=(
                "config service 'homing'\n"
                "\toption enabled '1'\n"
                f"\toption domain '{fqdn}'\n"
                f"\toption lookup_host '{fqdn}'\n"
                f"\toption username '{fqdn}'\n"
                f"\toption password '{secret}'\n"
                f"\toption update_url '{server.with_login('[USERNAME]:[PASSWORD]')}"
                "/nic/update?hostname=[DOMAIN]&myip=[IP]'\n"
                f"\toption use_https '{1 if server.tls else 0}'\n"
                "\toption ip_source 'network'\n"
                "\toption ip_network 'wan'\n"
                "\toption interface 'wan'\n"
            ),
        ),
        Snippet(
            key="fritzbox",
            title="FRITZ!Box (user-defined provider)",
            hint=f"Update-URL below; Domain name: {fqdn}; User name: {fqdn}; Password: the token.",
            text=(
                server.with_login("<username>:<pass>")
                + "/nic/update?hostname=<domain>&myip=<ipaddr>,<ip6addr>"
            ),
        ),
        Snippet(
            key="duckdns",
            title="DuckDNS URL",
            hint="For routers and scripts that speak DuckDNS; an empty ip= means the caller's.",
            text=f"{base}/update?domains={fqdn}&token={quoted}&ip=",
        ),
    ]
