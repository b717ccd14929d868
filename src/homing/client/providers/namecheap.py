"""Namecheap Dynamic DNS: ``GET /update?host=&domain=&password=&ip=``, answered in XML.

The Dynamic DNS password belongs to one domain (Advanced DNS → Dynamic
DNS), so a table names its ``domain``; each name's host is its part left
of the domain (``@`` for the domain itself). Namecheap's dynamic DNS sets
A records only, leaves their TTL as it is, and reports no "unchanged": an
answer with ``<ErrCount>0</ErrCount>`` is success, any error in it is the
account's or the host's problem (``Passwords do not match``, ``Domain name
not found``), which repeating cannot fix. The password travels in the
query string, as Namecheap requires; it is never logged.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

import httpx

from homing.client.addresses import Addresses
from homing.client.options import Options, Secret
from homing.client.providers import AnswerKind, ProviderAnswer
from homing.client.providers.answers import send, shown, status_answer
from homing.client.providers.records import relative_name

MAX_ANSWER = 64 * 1024
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def parse_answer(body: str) -> ProviderAnswer:
    """A Namecheap ``interface-response`` as an answer; anything unreadable is FAILED."""
    if len(body) > MAX_ANSWER:
        return ProviderAnswer(AnswerKind.FAILED, "oversized answer")
    # The declaration says utf-16 while the bytes are UTF-8 text: parse the text without it.
    text = _DECLARATION.sub("", body)
    try:
        # ElementTree fetches no external entities and expat bounds entity expansion.
        root = ElementTree.fromstring(text)  # noqa: S314
    except ElementTree.ParseError:
        return ProviderAnswer(AnswerKind.FAILED, f"unexpected answer: {shown(body)!r}")
    count = root.findtext("ErrCount")
    if root.tag != "interface-response" or count is None or not count.strip().isdigit():
        return ProviderAnswer(AnswerKind.FAILED, f"unexpected answer: {shown(body)!r}")
    if int(count) > 0:
        errors = root.find("errors")
        words = [e.text or "" for e in errors] if errors is not None else []
        return ProviderAnswer(AnswerKind.REJECTED, shown("; ".join(words) or "error"))
    ip = (root.findtext("IP") or "").strip()
    return ProviderAnswer(AnswerKind.UPDATED, shown(f"updated to {ip}" if ip else "updated"))


@dataclass(frozen=True, kw_only=True)
class NamecheapSettings:
    """The update endpoint, the domain and its Dynamic DNS password."""

    server: str
    domain: str
    password: Secret

    @classmethod
    def parse(cls, options: Options) -> NamecheapSettings:
        return cls(
            server=options.url("server", "https://dynamicdns.park-your-domain.com"),
            domain=options.required_string("domain", what="the domain the password belongs to"),
            password=options.secret("password"),
        )

    def build(self, http: httpx.AsyncClient) -> NamecheapProvider:
        return NamecheapProvider(self, http)


class NamecheapProvider:
    """One GET per name; only its IPv4 address is sent (Namecheap has no AAAA here)."""

    def __init__(self, settings: NamecheapSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._http = http

    async def update(self, name: str, addresses: Addresses) -> ProviderAnswer:
        s = self._settings
        domain = s.domain.rstrip(".").lower()
        if name != domain and not name.endswith(f".{domain}"):
            return ProviderAnswer(AnswerKind.REJECTED, f"{name} is not in the domain {domain}")
        if addresses.ipv4 is None:
            return ProviderAnswer(AnswerKind.REJECTED, "Namecheap dynamic DNS sets A records only")
        params = {
            "host": relative_name(name, domain) or "@",
            "domain": domain,
            "password": s.password.value,
            "ip": str(addresses.ipv4),
        }
        response = await send(self._http, "GET", f"{s.server}/update", params=params)
        if isinstance(response, ProviderAnswer):
            return response
        if (early := status_answer(response)) is not None:
            return early
        answer = parse_answer(response.text)
        if answer.kind is AnswerKind.UPDATED and str(addresses.ipv4) not in answer.text:
            return ProviderAnswer(AnswerKind.FAILED, f"provider reported {answer.text}")
        return answer
