"""IONOS Hosting DNS API (``X-API-Key: PREFIX.SECRET``): zones, their records, PUT by id.

A record's PUT replaces its content, TTL, priority and disabled flag
together, so the record's own values are sent back with the new content.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from homing.client.addresses import Family
from homing.client.providers.jsonapi import body_list, record_list, text_field
from homing.client.providers.records import (
    Record,
    TokenApi,
    TokenSettings,
    TtlRange,
    Zone,
    held_zones,
)


def ionos_error(body: Any) -> str | None:
    """``[{"code": "UNAUTHORIZED", "message": ...}]`` → ``code: message``."""
    first = body[0] if isinstance(body, list) and body else None
    if isinstance(first, dict) and "code" in first and "message" in first:
        return f"{first['code']}: {first['message']}"
    return None


@dataclass(frozen=True, kw_only=True)
class IonosSettings(TokenSettings):
    """The API endpoint, the API key (``prefix.secret``), an optional zone, new TTL."""

    SERVER = "https://api.hosting.ionos.com/dns/v1"
    TTL = TtlRange(60, 60, 86400)
    CREDENTIAL_KEY = "api_key"

    def api(self, http: httpx.AsyncClient) -> IonosApi:
        return IonosApi(self, http)


class IonosApi(TokenApi):
    """``/zones``, ``/zones/ID?suffix=&recordType=``, ``POST /zones/ID/records``, PUT by id."""

    error_of = staticmethod(ionos_error)
    HEADER = "X-API-Key"
    SCHEME = None

    async def zones(self, candidates: list[str]) -> list[Zone]:
        found = record_list(await self._api.call("GET", "/zones"), "zone list")
        return held_zones(found, candidates, name_key="name", id_key="id")

    async def records(self, zone: Zone, name: str, family: Family) -> list[Record]:
        params = {"suffix": name, "recordType": family.record_type}
        body = await self._api.call("GET", f"/zones/{zone.id}", params=params)
        return [
            Record(text_field(r, "id"), text_field(r, "content"), r)
            for r in body_list(body, "records")
            if str(r.get("name", "")).lower() == name and r.get("type") == family.record_type
        ]

    async def create(self, zone: Zone, name: str, family: Family, content: str) -> None:
        record = {
            "name": name,
            "type": family.record_type,
            "content": content,
            "ttl": self._settings.ttl,
            "prio": 0,
            "disabled": False,
        }
        await self._api.call("POST", f"/zones/{zone.id}/records", json=[record])

    async def change(
        self, zone: Zone, name: str, family: Family, record: Record, content: str
    ) -> None:
        kept = {k: record.raw[k] for k in ("ttl", "prio", "disabled") if k in record.raw}
        body = {"content": content, **kept}
        await self._api.call("PUT", f"/zones/{zone.id}/records/{record.id}", json=body)
