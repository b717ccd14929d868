"""dynv6 REST API v2 (Bearer token): a zone's own addresses, and the records inside it.

A dynv6 zone carries its apex addresses itself (``ipv4address`` and
``ipv6prefix``, PATCHed on the zone); every other name is a record of the
zone. dynv6 keeps no TTL per record, so there is none to keep or set.
Records whose data is only an interface identifier (``::11``) are expanded
by dynv6 from the zone's ``ipv6prefix``: updating the apex's IPv6 moves
them all (dynv6's prefix updates).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from homing.client.addresses import Family
from homing.client.providers.jsonapi import failed, record_list, text_field
from homing.client.providers.records import (
    Record,
    TokenApi,
    TokenSettings,
    Zone,
    held_zones,
    relative_name,
)

APEX_FIELDS = {Family.IPV4: "ipv4address", Family.IPV6: "ipv6prefix"}


def dynv6_error(body: Any) -> str | None:
    """``{"error": "..."}`` → its words."""
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return str(body["error"])
    return None


@dataclass(frozen=True, kw_only=True)
class Dynv6Settings(TokenSettings):
    """The API endpoint, the HTTP token, an optional zone."""

    SERVER = "https://dynv6.com/api/v2"
    TTL = None

    def api(self, http: httpx.AsyncClient) -> Dynv6Api:
        return Dynv6Api(self, http)


class Dynv6Api(TokenApi):
    """``/zones``, ``PATCH /zones/ID`` for the apex, ``/zones/ID/records`` for the rest."""

    error_of = staticmethod(dynv6_error)

    async def zones(self, candidates: list[str]) -> list[Zone]:
        found = record_list(await self._api.call("GET", "/zones"), "zone list")
        return held_zones(found, candidates, name_key="name", id_key="id")

    async def records(self, zone: Zone, name: str, family: Family) -> list[Record]:
        if not relative_name(name, zone.name):
            body = await self._api.call("GET", f"/zones/{zone.id}")
            value = body.get(APEX_FIELDS[family]) if isinstance(body, dict) else None
            if value is not None and not isinstance(value, str):
                raise failed("a zone whose address is not text")
            address = (value or "").partition("/")[0]
            return [Record("apex", address, body)] if address else []
        found = record_list(await self._api.call("GET", f"/zones/{zone.id}/records"), "records")
        wanted = relative_name(name, zone.name)
        return [
            Record(text_field(r, "id"), text_field(r, "data"), r)
            for r in found
            if r.get("type") == family.record_type and r.get("name") == wanted
        ]

    async def create(self, zone: Zone, name: str, family: Family, content: str) -> None:
        subname = relative_name(name, zone.name)
        if not subname:
            await self._api.call("PATCH", f"/zones/{zone.id}", json={APEX_FIELDS[family]: content})
            return
        record = {"type": family.record_type, "name": subname, "data": content}
        await self._api.call("POST", f"/zones/{zone.id}/records", json=record)

    async def change(
        self, zone: Zone, name: str, family: Family, record: Record, content: str
    ) -> None:
        if record.id == "apex":
            await self.create(zone, name, family, content)
            return
        path = f"/zones/{zone.id}/records/{record.id}"
        await self._api.call("PATCH", path, json={"data": content})
