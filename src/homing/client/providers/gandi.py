"""Gandi LiveDNS v5 (a personal access token as Bearer): RRsets by name and type.

LiveDNS holds RRsets, not records: each value of a name's A or AAAA RRset
is one record here, and a change PUTs the whole RRset with the new value
and the RRset's own ``rrset_ttl``, so the TTL the owner set stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from homing.client.addresses import Family
from homing.client.providers.jsonapi import failed, record_list
from homing.client.providers.records import (
    Record,
    TokenApi,
    TokenSettings,
    TtlRange,
    Zone,
    held_zones,
    relative_name,
)


def gandi_error(body: Any) -> str | None:
    """``{"code": 401, "message": ..., "cause": "Unauthorized"}`` → ``cause: message``."""
    if isinstance(body, dict) and "cause" in body and "message" in body:
        return f"{body['cause']}: {body['message']}"
    return None


@dataclass(frozen=True, kw_only=True)
class GandiSettings(TokenSettings):
    """The LiveDNS endpoint, the token (LiveDNS: manage records), zone, new RRsets' TTL."""

    SERVER = "https://api.gandi.net/v5/livedns"
    TTL = TtlRange(300, 300, 2592000)

    def api(self, http: httpx.AsyncClient) -> GandiApi:
        return GandiApi(self, http)


class GandiApi(TokenApi):
    """``/domains``, ``/domains/FQDN/records/NAME/TYPE`` (GET, POST to create, PUT to change)."""

    error_of = staticmethod(gandi_error)

    @staticmethod
    def _path(zone: Zone, name: str, family: Family) -> str:
        rrset = relative_name(name, zone.name) or "@"
        return f"/domains/{zone.id}/records/{rrset}/{family.record_type}"

    async def zones(self, candidates: list[str]) -> list[Zone]:
        found = record_list(await self._api.call("GET", "/domains"), "domain list")
        return held_zones(found, candidates, name_key="fqdn")

    async def records(self, zone: Zone, name: str, family: Family) -> list[Record]:
        path = self._path(zone, name, family)
        body = await self._api.call("GET", path, absent=frozenset({404}))
        if body is None:
            return []
        values = body.get("rrset_values") if isinstance(body, dict) else None
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise failed("an RRset without rrset_values")
        return [Record(path, v, body) for v in values]

    async def create(self, zone: Zone, name: str, family: Family, content: str) -> None:
        body = {"rrset_values": [content], "rrset_ttl": self._settings.ttl}
        await self._api.call("POST", self._path(zone, name, family), json=body)

    async def change(
        self, zone: Zone, name: str, family: Family, record: Record, content: str
    ) -> None:
        body: dict[str, Any] = {"rrset_values": [content]}
        if isinstance(record.raw.get("rrset_ttl"), int):
            body["rrset_ttl"] = record.raw["rrset_ttl"]
        await self._api.call("PUT", record.id, json=body)
