"""Porkbun API v3: every call a JSON POST carrying ``apikey`` and ``secretapikey``.

Records are read with ``retrieveByNameType``, created with ``create`` and
changed with ``edit`` by id. ``edit`` replaces the whole record, so the
record's own TTL, priority and notes are sent back unchanged with the new
content. The API key needs "API access" switched on for the domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from homing.client.addresses import Family
from homing.client.options import Secret
from homing.client.providers.jsonapi import JsonApi, body_list, text_field
from homing.client.providers.records import (
    Record,
    RecordsSettings,
    TtlRange,
    Zone,
    held_zones,
    relative_name,
)


def porkbun_error(body: Any) -> str | None:
    """``{"status": "ERROR", "message": "Invalid API key. (002)"}`` → its message."""
    if isinstance(body, dict) and body.get("status") == "SUCCESS":
        return None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return "answer without status SUCCESS"


@dataclass(frozen=True, kw_only=True)
class PorkbunSettings(RecordsSettings):
    """The API endpoint, the key pair, an optional zone, the TTL of created records."""

    api_key: Secret
    secret_api_key: Secret

    SERVER = "https://api.porkbun.com/api/json/v3"
    TTL = TtlRange(600, 600, 86400)
    SECRETS = ("api_key", "secret_api_key")

    def api(self, http: httpx.AsyncClient) -> PorkbunApi:
        return PorkbunApi(self, http)


class PorkbunApi:
    """``domain/listAll``, ``dns/retrieveByNameType``, ``dns/create``, ``dns/edit``."""

    def __init__(self, settings: PorkbunSettings, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._api = JsonApi(http=http, base=settings.server, error_of=porkbun_error)

    async def _post(self, path: str, **fields: Any) -> Any:
        keys = {
            "apikey": self._settings.api_key.value,
            "secretapikey": self._settings.secret_api_key.value,
        }
        return await self._api.call("POST", path, json={**keys, **fields})

    async def zones(self, candidates: list[str]) -> list[Zone]:
        body = await self._post("/domain/listAll", start="0")
        return held_zones(body_list(body, "domains"), candidates, name_key="domain")

    async def records(self, zone: Zone, name: str, family: Family) -> list[Record]:
        path = f"/dns/retrieveByNameType/{zone.id}/{family.record_type}"
        if subname := relative_name(name, zone.name):
            path = f"{path}/{subname}"
        body = await self._post(path)
        found = body_list(body, "records")
        return [Record(text_field(r, "id"), text_field(r, "content"), r) for r in found]

    async def create(self, zone: Zone, name: str, family: Family, content: str) -> None:
        await self._post(
            f"/dns/create/{zone.id}",
            name=relative_name(name, zone.name),
            type=family.record_type,
            content=content,
            ttl=str(self._settings.ttl),
        )

    async def change(
        self, zone: Zone, name: str, family: Family, record: Record, content: str
    ) -> None:
        kept = {k: record.raw[k] for k in ("ttl", "prio", "notes") if record.raw.get(k) is not None}
        await self._post(
            f"/dns/edit/{zone.id}/{record.id}",
            name=relative_name(name, zone.name),
            type=family.record_type,
            content=content,
            **kept,
        )
