"""Linode API v4 (Bearer token): domains, their records, PUT of ``target`` alone.

Linode's PUT changes only the fields it is given, so ``ttl_sec`` stays.
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


def linode_error(body: Any) -> str | None:
    """``{"errors": [{"reason": "Invalid Token"}]}`` → ``Invalid Token``."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return None
    return "; ".join(str(e.get("reason", "?")) for e in errors if isinstance(e, dict)) or "error"


@dataclass(frozen=True, kw_only=True)
class LinodeSettings:
    """The API endpoint, a personal access token (Domains read/write), zone, new TTL."""

    server: str
    token: Secret
    zone: str | None
    ttl: int

    @classmethod
    def parse(cls, options: Options) -> LinodeSettings:
        return cls(
            server=options.url("server", "https://api.linode.com/v4"),
            token=options.secret("token"),
            zone=options.optional_string("zone"),
            ttl=options.integer("ttl", 300, low=0, high=2419200),
        )

    def build(self, http: httpx.AsyncClient) -> RecordsProvider:
        return RecordsProvider(LinodeApi(self, http), zone=self.zone)


class LinodeApi:
    """``/domains``, ``/domains/ID/records``, POST, PUT by id."""

    def __init__(self, settings: LinodeSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._api = JsonApi(
            http=http,
            base=settings.server,
            headers={"Authorization": f"Bearer {settings.token.value}"},
            error_of=linode_error,
        )

    async def zones(self, candidates: list[str]) -> list[Zone]:
        body = await self._api.call("GET", "/domains", params={"page_size": "500"})
        held = {
            text_field(d, "domain").lower(): text_field(d, "id") for d in body_list(body, "data")
        }
        return [Zone(c, held[c]) for c in candidates if c in held]

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
