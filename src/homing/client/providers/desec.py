"""deSEC: addresses through its dynDNS endpoint, TTLs kept through its REST API.

deSEC's update endpoint (``update.dedyn.io``, dyndns2-shaped) takes
``myipv4``/``myipv6``, deletes the record of a family it is not given
unless the value is ``preserve``, answers ``good`` whether or not anything
changed, and writes every RRset it touches with a TTL of 60 seconds. So
before an update the REST API (same token) reads each RRset: when it
already holds the address, nothing is sent; after the update, an RRset
whose TTL the owner had set otherwise (or ``ttl`` from the config) gets
that TTL back with a PATCH of ``ttl`` alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from homing.client.addresses import Addresses, Family
from homing.client.errors import LookupProblem
from homing.client.options import Options, Secret
from homing.client.providers import AnswerKind, ProviderAnswer
from homing.client.providers.dyndns2 import AddressStyle, Dyndns2Provider, Dyndns2Settings
from homing.client.providers.jsonapi import Answered, JsonApi, failed, record_list, rejected
from homing.client.providers.records import normalized, relative_name

UPDATE_TTL = 60  # what the dynDNS endpoint writes (deSEC's IP Update API documentation)


def desec_error(body: Any) -> str | None:
    """deSEC's error words (``{"detail": "Invalid token."}``); None for a body without them."""
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return str(body["detail"])
    return None


@dataclass(frozen=True)
class RRset:
    """One RRset as the REST API holds it."""

    records: frozenset[str]
    ttl: int


@dataclass(frozen=True, kw_only=True)
class DesecSettings:
    """The update endpoint, the REST API, the token, and an optional TTL to keep."""

    server: str
    api_server: str
    token: Secret
    ttl: int | None

    @classmethod
    def parse(cls, options: Options) -> DesecSettings:
        ttl = options.integer("ttl", 0, low=0, high=86400)
        return cls(
            server=options.url("server", "https://update.dedyn.io"),
            api_server=options.url("api_server", "https://desec.io/api/v1"),
            token=options.secret("token"),
            ttl=ttl or None,
        )

    def build(self, http: httpx.AsyncClient) -> DesecProvider:
        return DesecProvider(self, http)


class DesecProvider:
    """One dynDNS request per update, with REST reads before and TTL repairs after."""

    def __init__(self, settings: DesecSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._http = http
        self._api = JsonApi(
            http=http,
            base=settings.api_server,
            headers={"Authorization": f"Token {settings.token.value}"},
            error_of=desec_error,
        )
        self._domains: dict[str, str] = {}
        # Basic auth with the name as the user: deSEC takes the host from it too.
        dyndns = Dyndns2Settings(
            url=settings.server, username=None, password=settings.token, style=AddressStyle.PRESERVE
        )
        self._dyndns = Dyndns2Provider(dyndns, http)

    async def update(self, name: str, addresses: Addresses) -> ProviderAnswer:
        try:
            domain = await self._domain(name)
            before = {f: await self._rrset(domain, name, f) for f, _ in addresses.items()}
        except Answered as answered:
            return answered.answer
        done = ", ".join(f"{f.record_type} {a}" for f, a in addresses.items())
        if all(
            (rrset := before[f]) is not None and rrset.records == {str(a)}
            for f, a in addresses.items()
        ):
            return ProviderAnswer(AnswerKind.UNCHANGED, f"already {done}")
        answer = await self._dyndns.update(name, addresses)
        if not answer.kind.done:
            return answer
        try:
            for family, _ in addresses.items():
                old = before[family]
                wanted = self._settings.ttl or (old.ttl if old else UPDATE_TTL)
                if wanted != UPDATE_TTL:
                    await self._api.call(
                        "PATCH", self._path(domain, name, family), json={"ttl": wanted}
                    )
        except Answered as answered:
            return ProviderAnswer(
                AnswerKind.FAILED, f"addresses set, TTL not: {answered.answer.text}"
            )
        return ProviderAnswer(AnswerKind.UPDATED, f"set {done}")

    async def published(
        self, name: str, families: frozenset[Family]
    ) -> dict[Family, frozenset[str]]:
        """Each family's addresses as deSEC holds them (start-up repair reads these)."""
        try:
            domain = await self._domain(name)
            found = {}
            for family in families:
                rrset = await self._rrset(domain, name, family)
                found[family] = rrset.records if rrset else frozenset()
            return found
        except Answered as answered:
            raise LookupProblem(answered.answer.text) from None

    @staticmethod
    def _path(domain: str, name: str, family: Family) -> str:
        subname = relative_name(name, domain) or "@"
        return f"/domains/{domain}/rrsets/{subname}/{family.record_type}/"

    async def _domain(self, name: str) -> str:
        """The account's domain that holds ``name`` (deSEC's ``owns_qname`` filter)."""
        if name not in self._domains:
            found = record_list(
                await self._api.call("GET", "/domains/", params={"owns_qname": name}),
                "domain list",
            )
            names = [d.get("name") for d in found]
            if not names or not isinstance(names[0], str):
                raise rejected(f"no domain for {name} in this deSEC account")
            self._domains[name] = names[0]
        return self._domains[name]

    async def _rrset(self, domain: str, name: str, family: Family) -> RRset | None:
        body = await self._api.call(
            "GET", self._path(domain, name, family), absent=frozenset({404})
        )
        if body is None:
            return None
        records, ttl = (body.get("records"), body.get("ttl")) if isinstance(body, dict) else (0, 0)
        if not isinstance(records, list) or not isinstance(ttl, int) or isinstance(ttl, bool):
            raise failed("an RRset without records or ttl")
        return RRset(frozenset(normalized(str(r)) for r in records), ttl)
