"""A webhook: each event as a JSON POST, for chat bots, home automation, or one's own script.

The body names the event, the name and provider, the old and new
addresses and the provider's words, so a receiver needs no other state::

    {"event": "changed", "name": "home.example.net", "provider": "dyndns2",
     "old": {"ipv4": "192.0.2.1"}, "new": {"ipv4": "192.0.2.7"},
     "answer": "good 192.0.2.7", "failures": 0, "detail": "",
     "at": "2024-05-01T10:00:00Z"}
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from homing.client.addresses import Addresses
from homing.client.notify import Event, EventKind, NotifyError

EVENT_KINDS = frozenset({EventKind.CHANGED, EventKind.FAILING, EventKind.STOPPED})


def addresses_json(addresses: Addresses) -> dict[str, str]:
    return {family.value: str(address) for family, address in addresses.items()}


def event_json(event: Event) -> dict[str, Any]:
    """The webhook body for ``event``."""
    return {
        "event": event.kind.value,
        "name": event.name,
        "provider": event.provider,
        "old": addresses_json(event.old),
        "new": addresses_json(event.new),
        "answer": event.answer,
        "failures": event.failures,
        "detail": event.detail,
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(event.at)),
    }


async def post(http: httpx.AsyncClient, url: str, **kwargs: Any) -> None:
    """POST to ``url``; any answer but 2xx, and any network error, is a NotifyError."""
    host = httpx.URL(url).host
    try:
        response = await http.post(url, **kwargs)
    except httpx.HTTPError as exc:
        raise NotifyError(f"cannot reach {host}: {exc or type(exc).__name__}") from None
    if not response.is_success:
        raise NotifyError(f"{host} answered HTTP {response.status_code}")


class Webhook:
    """POSTs the events of ``EVENT_KINDS`` as JSON to one URL."""

    def __init__(self, *, url: str, http: httpx.AsyncClient) -> None:
        self._url = url
        self._http = http

    @property
    def description(self) -> str:
        return f"webhook {httpx.URL(self._url).host}"

    @property
    def kinds(self) -> frozenset[EventKind]:
        return EVENT_KINDS

    async def deliver(self, event: Event) -> None:
        await post(self._http, self._url, json=event_json(event))
