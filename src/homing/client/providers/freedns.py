"""FreeDNS (afraid.org) v2 update URLs: ``GET /u/TOKEN/?address=IP``, one token per record.

Each dynamic record (an A and an AAAA are two records) has its own random
update token, shown in the FreeDNS console as the v2 URL
``https://sync.afraid.org/u/TOKEN/``: ``ipv4_token`` updates the A record,
``ipv6_token`` the AAAA record, so a table holds one name. The token is the
credential and sits in the URL's path; it is never logged. Answers are
plain lines: ``Updated 1 host(s) NAME to IP ...``, ``No IP change detected
for NAME with IP IP, skipping update``, or ``ERROR: ...``.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from homing.client.addresses import Addresses, Family
from homing.client.options import Options, Secret
from homing.client.providers import AnswerKind, ProviderAnswer
from homing.client.providers.answers import combined, send, shown, status_answer

TOKENS = {Family.IPV4: "ipv4_token", Family.IPV6: "ipv6_token"}


def parse_answer(body: str, address: str) -> ProviderAnswer:
    """One FreeDNS answer for ``address``; only a line naming that address is success."""
    line = body.strip().splitlines()[0].strip() if body.strip() else ""
    words = shown(line) or "empty answer"
    if line.startswith("ERROR"):
        return ProviderAnswer(AnswerKind.REJECTED, words)
    mentioned = address in line.replace(",", " ").split()
    if line.startswith("Updated") and mentioned:
        return ProviderAnswer(AnswerKind.UPDATED, words)
    if line.startswith("No IP change detected") and mentioned:
        return ProviderAnswer(AnswerKind.UNCHANGED, words)
    return ProviderAnswer(AnswerKind.FAILED, f"unexpected answer: {words!r}")


@dataclass(frozen=True, kw_only=True)
class FreednsSettings:
    """The sync server and the update token of each record."""

    server: str
    tokens: dict[Family, Secret]

    @classmethod
    def parse(cls, options: Options) -> FreednsSettings:
        server = options.url("server", "https://sync.afraid.org")
        tokens = {f: t for f, key in TOKENS.items() if (t := options.optional_secret(key))}
        if not tokens:
            message = "missing credential: set ipv4_token or ipv6_token (each with _file or _env)"
            raise options.error(None, message)
        return cls(server=server, tokens=tokens)

    def build(self, http: httpx.AsyncClient) -> FreednsProvider:
        return FreednsProvider(self, http)


class FreednsProvider:
    """One GET per family, each with that record's token."""

    def __init__(self, settings: FreednsSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._http = http

    async def update(self, name: str, addresses: Addresses) -> ProviderAnswer:
        answers = []
        for family, address in addresses.items():
            token = self._settings.tokens.get(family)
            if token is None:
                text = f"no {TOKENS[family]} for the {family.record_type} record"
                return ProviderAnswer(AnswerKind.REJECTED, text)
            answer = await self._send(token, str(address))
            if not answer.kind.done:
                return answer
            answers.append(answer)
        return combined(answers)

    async def _send(self, token: Secret, address: str) -> ProviderAnswer:
        url = f"{self._settings.server}/u/{token.value}/"
        response = await send(self._http, "GET", url, params={"address": address})
        if isinstance(response, ProviderAnswer):
            return response
        if (early := status_answer(response)) is not None:
            return early
        return parse_answer(response.text, address)
