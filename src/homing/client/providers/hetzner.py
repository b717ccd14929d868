"""Hetzner DNS API (``Auth-API-Token`` header): zones by name, records by zone, PUT by id.

A record's PUT replaces it whole, so its own TTL is sent back with the new
value (a record without one keeps following the zone's default).
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
    relative_name,
)


def hetzner_error(body: Any) -> str | None:
    """``{"error": {"message": ..., "code": 404}}`` or ``{"message": ...}`` → the message."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    message = body.get("message")
    return str(message) if isinstance(message, str) else None


def hetzner_name(name: str, zone: Zone) -> str:
    return relative_name(name, zone.name) or "@"


@dataclass(frozen=True, kw_only=True)
class HetznerSettings(TokenSettings):
    """The API endpoint, the API token, an optional zone, the TTL of created records."""

    SERVER = "https://dns.hetzner.com/api/v1"
    TTL = TtlRange(60, 60, 86400)

    def api(self, http: httpx.AsyncClient) -> HetznerApi:
        return HetznerApi(self, http)


class HetznerApi(TokenApi):
    """``GET /zones?name=``, ``GET /records?zone_id=``, ``POST /records``, ``PUT /records/ID``."""

    error_of = staticmethod(hetzner_error)
    HEADER = "Auth-API-Token"
    SCHEME = None

    async def zones(self, candidates: list[str]) -> list[Zone]:
        for candidate in candidates:
            body = await self._api.call(
                "GET", "/zones", params={"name": candidate}, absent=frozenset({404})
            )
            if body is None:
                continue
            found = body_list(body, "zones")
            for zone in found:
                if text_field(zone, "name").lower() == candidate:
                    return [Zone(candidate, text_field(zone, "id"))]
        return []

    async def records(self, zone: Zone, name: str, family: Family) -> list[Record]:
        body = await self._api.call("GET", "/records", params={"zone_id": zone.id})
        found = body_list(body, "records")
        wanted = hetzner_name(name, zone)
        return [
            Record(text_field(r, "id"), text_field(r, "value"), r)
            for r in found
            if r.get("type") == family.record_type and r.get("name") == wanted
        ]

    async def create(self, zone: Zone, name: str, family: Family, content: str) -> None:
        record = {
            "zone_id": zone.id,
            "type": family.record_type,
            "name": hetzner_name(name, zone),
            "value": content,
            "ttl": self._settings.ttl,
        }
        await self._api.call("POST", "/records", json=record)

    async def change(
        self, zone: Zone, name: str, family: Family, record: Record, content: str
    ) -> None:
        body: dict[str, Any] = {
            "zone_id": zone.id,
            "type": family.record_type,
            "name": hetzner_name(name, zone),
            "value": content,
        }
        if isinstance(record.raw.get("ttl"), int):
            body["ttl"] = record.raw["ttl"]
        await self._api.call("PUT", f"/records/{record.id}", json=body)
