"""DigitalOcean API v2 (Bearer token): domains, their records by type and name, PATCH ``data``.

A PATCH changes only the fields it names, so the record's TTL stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from homing.client.addresses import Family
from homing.client.options import Options, Secret
from homing.client.providers.records import (
    JsonApi,
    Record,
    RecordsProvider,
    Zone,
    body_list,
    relative_name,
    text_field,
)


def digitalocean_error(body: Any) -> str | None:
    """``{"id": "unauthorized", "message": "Unable to authenticate you"}`` → ``id: message``."""
    if isinstance(body, dict) and isinstance(body.get("id"), str) and "message" in body:
        return f"{body['id']}: {body['message']}"
    return None


@dataclass(frozen=True, kw_only=True)
class DigitaloceanSettings:
    """The API endpoint, the token (scope domain:read and domain:update), zone, new TTL."""

    server: str
    token: Secret
    zone: str | None
    ttl: int

    @classmethod
    def parse(cls, options: Options) -> DigitaloceanSettings:
        return cls(
            server=options.url("server", "https://api.digitalocean.com/v2"),
            token=options.secret("token"),
            zone=options.optional_string("zone"),
            ttl=options.integer("ttl", 60, low=30, high=86400),
        )

    def build(self, http: httpx.AsyncClient) -> RecordsProvider:
        return RecordsProvider(DigitaloceanApi(self, http), zone=self.zone)


class DigitaloceanApi:
    """``/domains``, ``/domains/D/records?type=&name=``, POST, PATCH by id."""

    def __init__(self, settings: DigitaloceanSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._api = JsonApi(
            http=http,
            base=settings.server,
            headers={"Authorization": f"Bearer {settings.token.value}"},
            error_of=digitalocean_error,
        )

    async def zones(self, candidates: list[str]) -> list[Zone]:
        body = await self._api.call("GET", "/domains", params={"per_page": "200"})
        held = {text_field(d, "name").lower() for d in body_list(body, "domains")}
        return [Zone(c, c) for c in candidates if c in held]

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
