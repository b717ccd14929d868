"""A heartbeat ping (healthchecks.io style): the URL after a healthy pass, ``URL/fail`` otherwise.

A dead-man's switch for the client itself: the monitoring service alerts
when the pings stop (the machine or the client is down) or when one says
``/fail`` (a name or an address source is in trouble). The body carries a
one-line summary, which healthchecks.io shows in its log.
"""

from __future__ import annotations

import httpx

from homing.client.notify import Event, EventKind
from homing.client.notify.webhook import post


class Heartbeat:
    """POSTs to the URL on HEALTHY and to ``URL/fail`` on UNHEALTHY."""

    def __init__(self, *, url: str, http: httpx.AsyncClient) -> None:
        self._url = url.rstrip("/")
        self._http = http

    @property
    def description(self) -> str:
        return f"heartbeat {httpx.URL(self._url).host}"

    @property
    def kinds(self) -> frozenset[EventKind]:
        return frozenset({EventKind.HEALTHY, EventKind.UNHEALTHY})

    async def deliver(self, event: Event) -> None:
        url = self._url if event.kind is EventKind.HEALTHY else f"{self._url}/fail"
        await post(self._http, url, content=event.detail.encode())
