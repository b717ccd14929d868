"""DigitalOcean API v2 (Bearer token): domains, their records by type and name, PATCH ``data``.

A PATCH changes only the fields it names, so the record's TTL stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from homing.client.addresses import Family
from homing.client.providers.jsonapi import body_list, text_field
from homing.client.providers.records import (
    Record,
    TokenApi,
    TokenSettings,
    TtlRange,
    Zone,
    held_zones,
    relative_name,
)


def digitalocean_error(body: Any) -> str | None:
    """``{"id": "unauthorized", "message": "Unable to authenticate you"}`` → ``id: message``."""
    if isinstance(body, dict) and isinstance(body.get("id"), str) and "message" in body:
        return f"{body['id']}: {body['message']}"
    return None


@dataclass(frozen=True, kw_only=True)
class DigitaloceanSettings(TokenSettings):
    """The API endpoint, the token (scope domain:read and domain:update), zone, new TTL."""

    SERVER = "https://api.digitalocean.com/v2"
    TTL = TtlRange(60, 30, 86400)

    def api(self, http: httpx.AsyncClient) -> DigitaloceanApi:
        return DigitaloceanApi(self, http)


class DigitaloceanApi(TokenApi):
    """``/domains``, ``/domains/D/records?type=&name=``, POST, PATCH by id."""

    error_of = staticmethod(digitalocean_error)

    async def zones(self, candidates: list[str]) -> list[Zone]:
        body = await self._api.call("GET", "/domains", params={"per_page": "200"})
        return held_zones(body_list(body, "domains"), candidates, name_key="name")

    async def records(self, zone: Zone, name: str, family: Family) -> list[Record]:
        params = {"type": family.record_type, "name": name, "per_page": "200"}
        body = await self._api.call("GET", f"/domains/{zone.id}/records", params=params)
        return [
            Record(text_field(r, "id"), text_field(r, "data"), r)
            for r in body_list(body, "domain_records")
        ]

    async def create(self, zone: Zone, name: str, family: Family, content: str) -> None:
        record = {
            "type": family.record_type,
            "name": relative_name(name, zone.name) or "@",
            "data": content,
            "ttl": self._settings.ttl,
        }
        await self._api.call("POST", f"/domains/{zone.id}/records", json=record)

    async def change(
        self, zone: Zone, name: str, family: Family, record: Record, content: str
    ) -> None:
        path = f"/domains/{zone.id}/records/{record.id}"
        await self._api.call("PATCH", path, json={"type": family.record_type, "data": content})
