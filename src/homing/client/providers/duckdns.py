"""DuckDNS (``/update?domains=&token=&ip=&ipv6=&verbose=true``): ``OK`` or ``KO``.

With ``verbose=true`` DuckDNS adds the addresses it now has and
``UPDATED`` or ``NOCHANGE``; ``KO`` means a wrong token or domain, which
repeating will not fix.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from homing.client.addresses import Addresses
from homing.client.options import Options, Secret
from homing.client.providers import AnswerKind, ProviderAnswer
from homing.client.providers.answers import send, shown, status_answer

SUFFIX = ".duckdns.org"


def parse_answer(body: str) -> ProviderAnswer:
    """A DuckDNS answer (plain or verbose) as a provider answer."""
    lines = [line.strip() for line in body.strip().splitlines()]
    head = lines[0] if lines else ""
    if head == "KO":
        return ProviderAnswer(AnswerKind.REJECTED, "KO (wrong token or domain)")
    if head != "OK":
        what = shown(body) if body.strip() else "empty answer"
        return ProviderAnswer(AnswerKind.FAILED, f"unexpected answer: {what!r}")
    if lines[-1] == "NOCHANGE":
        return ProviderAnswer(AnswerKind.UNCHANGED, shown(" ".join(lines)))
    return ProviderAnswer(AnswerKind.UPDATED, shown(" ".join(lines)))


def domain_label(name: str) -> str:
    """``home.duckdns.org`` → ``home``: DuckDNS wants the sub-domain only."""
    lowered = name.rstrip(".").lower()
    return lowered[: -len(SUFFIX)] if lowered.endswith(SUFFIX) else lowered


@dataclass(frozen=True, kw_only=True)
class DuckdnsSettings:
    """A DuckDNS account: the server (for look-alikes such as Homing) and the token."""

    server: str
    token: Secret

    @classmethod
    def parse(cls, options: Options) -> DuckdnsSettings:
        return cls(
            server=options.url("server", "https://www.duckdns.org"), token=options.secret("token")
        )

    def build(self, http: httpx.AsyncClient) -> DuckdnsProvider:
        return DuckdnsProvider(self, http)


class DuckdnsProvider:
    """Sends both families in one request; DuckDNS fills an omitted IPv4 from the socket."""

    def __init__(self, settings: DuckdnsSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._http = http

    async def update(self, name: str, addresses: Addresses) -> ProviderAnswer:
        params = {"domains": domain_label(name), "token": self._settings.token.value}
        if addresses.ipv4 is not None:
            params["ip"] = str(addresses.ipv4)
        if addresses.ipv6 is not None:
            params["ipv6"] = str(addresses.ipv6)
        params["verbose"] = "true"
        response = await send(self._http, "GET", f"{self._settings.server}/update", params=params)
        if isinstance(response, ProviderAnswer):
            return response
        if (early := status_answer(response)) is not None:
            return early
        return parse_answer(response.text)
