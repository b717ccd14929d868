"""Linode API v4 (Bearer token): domains, their records, PUT of ``target`` alone.

Linode's PUT changes only the fields it is given, so ``ttl_sec`` stays.
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


def linode_error(body: Any) -> str | None:
    """``{"errors": [{"reason": "Invalid Token"}]}`` → ``Invalid Token``."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return None
    return "; ".join(str(e.get("reason", "?")) for e in errors if isinstance(e, dict)) or "error"


@dataclass(frozen=True, kw_only=True)
class LinodeSettings(TokenSettings):
    """The API endpoint, a personal access token (Domains read/write), zone, new TTL."""

    SERVER = "https://api.linode.com/v4"
    TTL = TtlRange(300, 0, 2419200)

    def api(self, http: httpx.AsyncClient) -> LinodeApi:
        return LinodeApi(self, http)


class LinodeApi(TokenApi):
    """``/domains``, ``/domains/ID/records``, POST, PUT by id."""

    error_of = staticmethod(linode_error)

    async def zones(self, candidates: list[str]) -> list[Zone]:
        body = await self._api.call("GET", "/domains", params={"page_size": "500"})
        return held_zones(body_list(body, "data"), candidates, name_key="domain", id_key="id")

    async def records(self, zone: Zone, name: str, family: Family) -> list[Record]:
        path = f"/domains/{zone.id}/records"
        body = await self._api.call("GET", path, params={"page_size": "500"})
        wanted = relative_name(name, zone.name)
        return [
            Record(text_field(r, "id"), text_field(r, "target"), r)
            for r in body_list(body, "data")
            if r.get("type") == family.record_type and r.get("name") == wanted
        ]

    async def create(self, zone: Zone, name: str, family: Family, content: str) -> None:
        record = {
            "type": family.record_type,
            "name": relative_name(name, zone.name),
            "target": content,
            "ttl_sec": self._settings.ttl,
        }
        await self._api.call("POST", f"/domains/{zone.id}/records", json=record)

    async def change(
        self, zone: Zone, name: str, family: Family, record: Record, content: str
    ) -> None:
        path = f"/domains/{zone.id}/records/{record.id}"
        await self._api.call("PUT", path, json={"target": content})
