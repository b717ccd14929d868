"""Cloudflare API v4 with a scoped API token: find the zone, then create or PATCH A/AAAA.

Only ``content`` is changed on an existing record, so the owner's
``proxied`` and TTL choices stay; ``proxied`` and ``ttl`` from the config
apply to records this client creates. The token needs Zone:Read and
DNS:Edit on the zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from homing.client.addresses import Family
from homing.client.options import Options, Secret
from homing.client.providers.answers import shown
from homing.client.providers.jsonapi import JsonApi, failed, record_list, text_field
from homing.client.providers.records import Record, RecordsProvider, Zone

DEFAULT_SERVER = "https://api.cloudflare.com/client/v4"


def api_errors(body: Any) -> str | None:
    """Cloudflare's error list as one line (``9109 Invalid access token``); None on success."""
    if not isinstance(body, dict) or body.get("success") is not False:
        return None
    errors = body.get("errors")
    if not isinstance(errors, list) or not errors:
        return "no error details"
    parts = [f"{e.get('code', '?')} {e.get('message', '')}" for e in errors if isinstance(e, dict)]
    return shown("; ".join(parts))


def server_option(options: Options, default: str) -> str:
    """``server``, or the older spelling ``api_url`` (kept so old configs still load)."""
    older = options.optional_url("api_url")
    if older is not None:
        if options.optional_string("server") is not None:
            raise options.error("api_url", "give only one of server, api_url")
        return older
    return options.url("server", default)


@dataclass(frozen=True, kw_only=True)
class CloudflareSettings:
    """The API endpoint, the token, an optional zone, and what new records get."""

    api_url: str
    token: Secret
    zone: str | None
    ttl: int
    proxied: bool

    @classmethod
    def parse(cls, options: Options) -> CloudflareSettings:
        return cls(
            api_url=server_option(options, DEFAULT_SERVER),
            token=options.secret("token"),
            zone=options.optional_string("zone"),
            ttl=options.integer("ttl", 1, low=1, high=86400),
            proxied=options.boolean("proxied", False),
        )

    def build(self, http: httpx.AsyncClient) -> RecordsProvider:
        return RecordsProvider(CloudflareApi(self, http), zone=self.zone)


class CloudflareApi:
    """Zones by name, records by type and name, POST to create, PATCH of ``content``."""

    def __init__(self, settings: CloudflareSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._api = JsonApi(
            http=http,
            base=settings.api_url,
            headers={"Authorization": f"Bearer {settings.token.value}"},
            error_of=api_errors,
        )

    async def _result(self, method: str, path: str, **kwargs: Any) -> Any:
        body = await self._api.call(method, path, **kwargs)
        if not isinstance(body, dict) or "result" not in body:
            raise failed("answer without a result")
        return body["result"]

    async def zones(self, candidates: list[str]) -> list[Zone]:
        for candidate in candidates:
            found = record_list(
                await self._result("GET", "/zones", params={"name": candidate}), "zone list"
            )
            if found:
                return [Zone(candidate, text_field(found[0], "id"))]
        return []

    async def records(self, zone: Zone, name: str, family: Family) -> list[Record]:
        params = {"type": family.record_type, "name": name}
        found = await self._result("GET", f"/zones/{zone.id}/dns_records", params=params)
        return [
            Record(text_field(r, "id"), text_field(r, "content"), r)
            for r in record_list(found, "record list")
        ]

    async def create(self, zone: Zone, name: str, family: Family, content: str) -> None:
        record = {
            "type": family.record_type,
            "name": name,
            "content": content,
            "ttl": self._settings.ttl,
            "proxied": self._settings.proxied,
        }
        await self._result("POST", f"/zones/{zone.id}/dns_records", json=record)

    async def change(
        self, zone: Zone, name: str, family: Family, record: Record, content: str
    ) -> None:
        path = f"/zones/{zone.id}/dns_records/{record.id}"
        await self._result("PATCH", path, json={"content": content})
