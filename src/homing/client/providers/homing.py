"""Homing's own update API: dyndns2 at ``/nic/update`` with a host token, plus its ``/ip``.

A Homing server is also an echo service, so its ``/ip`` joins the web
sources' list (first) whenever a name is updated through Homing. Beside the
IPv6 address it sends the prefix the address lies in (``ipv6_prefix_length``,
default 64), so the hosts that follow this one move with it (issue 10).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from homing.client.ipv6_suffix import prefix_length
from homing.client.options import Options, Secret
from homing.client.providers.dyndns2 import Dyndns2Provider, Dyndns2Settings
from homing.domain.prefixes import DEFAULT_PREFIX_LENGTH


@dataclass(frozen=True, kw_only=True)
class HomingSettings:
    """A Homing server: its base URL, the account name and the host's update token."""

    server: str
    username: str
    token: Secret
    prefix_length: int = DEFAULT_PREFIX_LENGTH
    """Sent as ``prefix/length`` beside the IPv6 address, so the host's followers move."""

    @classmethod
    def parse(cls, options: Options) -> HomingSettings:
        server = options.url("server")
        if httpx.URL(server).path not in {"", "/"}:
            raise options.error("server", "give the server's base URL, without a path")
        return cls(
            server=server,
            username=options.required_string("username", what="the account's user name"),
            token=options.secret("token"),
            prefix_length=prefix_length(options),
        )

    @property
    def ip_url(self) -> str:
        return f"{self.server}/ip"

    def build(self, http: httpx.AsyncClient) -> Dyndns2Provider:
        settings = Dyndns2Settings(
            url=f"{self.server}/nic/update", username=self.username, password=self.token
        )
        return Dyndns2Provider(settings, http, prefix_length=self.prefix_length)
