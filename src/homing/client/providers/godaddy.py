"""GoDaddy Domains API v1 (``sso-key KEY:SECRET``): a name's records of one type, PUT whole.

``PUT /v1/domains/D/records/TYPE/NAME`` replaces every record of that type
and name, so it is sent with one record: the new address and the TTL the
existing record had (or ``ttl`` from the config for a new one). A 429
names its wait in the body (``retryAfterSec``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from homing.client.addresses import Family
from homing.client.options import Secret
from homing.client.providers.jsonapi import JsonApi, record_list, text_field
from homing.client.providers.records import (
    Record,
    RecordsSettings,
    TtlRange,
    Zone,
    held_zones,
    relative_name,
)


def godaddy_error(body: Any) -> str | None:
    """``{"code": "UNABLE_TO_AUTHENTICATE", "message": ...}`` → ``code: message``."""
    if isinstance(body, dict) and isinstance(body.get("code"), str):
        return f"{body['code']}: {body.get('message', '')}"
    return None


def godaddy_wait(body: Any) -> float | None:
    """The ``retryAfterSec`` of a 429 body."""
    wait = body.get("retryAfterSec") if isinstance(body, dict) else None
    return float(wait) if isinstance(wait, int | float) and not isinstance(wait, bool) else None


@dataclass(frozen=True, kw_only=True)
class GodaddySettings(RecordsSettings):
    """The API endpoint, the key and secret, an optional zone, the TTL of new records."""

    api_key: Secret
    api_secret: Secret

    SERVER = "https://api.godaddy.com"
    TTL = TtlRange(600, 600, 604800)
    SECRETS = ("api_key", "api_secret")

    def api(self, http: httpx.AsyncClient) -> GodaddyApi:
        return GodaddyApi(self, http)


class GodaddyApi:
    """``/v1/domains`` and ``/v1/domains/D/records/TYPE/NAME`` (GET, PUT)."""

    def __init__(self, settings: GodaddySettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        key = f"{settings.api_key.value}:{settings.api_secret.value}"
        self._api = JsonApi(
            http=http,
            base=settings.server,
            headers={"Authorization": f"sso-key {key}"},
            error_of=godaddy_error,
            wait_of=godaddy_wait,
        )

    @staticmethod
    def _path(zone: Zone, name: str, family: Family) -> str:
        rrset = relative_name(name, zone.name) or "@"
        return f"/v1/domains/{zone.id}/records/{family.record_type}/{rrset}"

    async def zones(self, candidates: list[str]) -> list[Zone]:
        body = await self._api.call("GET", "/v1/domains", params={"statuses": "ACTIVE"})
        return held_zones(record_list(body, "domain list"), candidates, name_key="domain")

    async def records(self, zone: Zone, name: str, family: Family) -> list[Record]:
        path = self._path(zone, name, family)
        found = record_list(await self._api.call("GET", path), "record list")
        return [Record(path, text_field(r, "data"), r) for r in found]

    async def create(self, zone: Zone, name: str, family: Family, content: str) -> None:
        body = [{"data": content, "ttl": self._settings.ttl}]
        await self._api.call("PUT", self._path(zone, name, family), json=body)

    async def change(
        self, zone: Zone, name: str, family: Family, record: Record, content: str
    ) -> None:
        ttl = record.raw.get("ttl")
        kept = ttl if isinstance(ttl, int) and not isinstance(ttl, bool) else self._settings.ttl
        await self._api.call("PUT", record.id, json=[{"data": content, "ttl": kept}])
