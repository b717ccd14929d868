"""The router's WAN address, asked over UPnP IGD (``GetExternalIPAddress``) with miniupnpc.

For a machine behind a NAT router this is the public IPv4 address without
asking anyone on the Internet. miniupnpc is an optional extra
(``pip install 'homing[upnp]'``): it is a C library with blocking calls,
so each detection runs in a worker thread. ``root_url`` (the router's
``rootDesc.xml``) skips SSDP discovery, for routers that do not answer it
and for tests.
"""

from __future__ import annotations

import asyncio
import importlib.util
from dataclasses import dataclass

from homing.client.addresses import Family, usable_address
from homing.client.detect.polling import PollingSource
from homing.client.errors import DetectionError
from homing.client.options import Options
from homing.domain.addresses import IPAddress

MISSING = "source = \"upnp\" needs the miniupnpc package: pip install 'homing[upnp]'"


@dataclass(frozen=True, kw_only=True)
class UpnpSettings:
    """Where the router's description is (None: discover it), how long to discover, how often."""

    root_url: str | None
    discover_ms: int
    poll_seconds: float

    @classmethod
    def parse(cls, options: Options) -> UpnpSettings:
        if importlib.util.find_spec("miniupnpc") is None:
            raise options.error("source", MISSING)
        return cls(
            root_url=options.optional_url("root_url"),
            discover_ms=options.integer("discover_ms", 2000, low=100, high=30000),
            poll_seconds=options.number("poll_seconds", 300, low=5, high=86400),
        )

    def build(self, *, family: Family, public_only: bool, timeout: float) -> UpnpSource:
        return UpnpSource(settings=self, public_only=public_only)


def external_address(settings: UpnpSettings) -> str:
    """The IGD's answer to GetExternalIPAddress (blocking: run it in a thread)."""
    import miniupnpc  # type: ignore[import-not-found, unused-ignore]

    upnp = miniupnpc.UPnP()
    upnp.discoverdelay = settings.discover_ms
    # miniupnpc raises plain Exception ("No UPnP device discovered", "Invalid Action").
    try:
        if settings.root_url is not None:
            upnp.selectigd(settings.root_url)
        else:
            if upnp.discover() == 0:
                raise DetectionError("no UPnP device answered discovery")
            upnp.selectigd()
        answer = upnp.externalipaddress()
    except DetectionError:
        raise
    except Exception as exc:  # miniupnpc has no exception types of its own
        raise DetectionError(f"UPnP: {exc}") from None
    if not answer:
        raise DetectionError("the router reported no external address")
    return str(answer)


class UpnpSource(PollingSource):
    """Asks the router each poll; IPv4 only (IGD knows no IPv6 WAN address)."""

    def __init__(self, *, settings: UpnpSettings, public_only: bool) -> None:
        self._settings = settings
        self._public_only = public_only

    @property
    def description(self) -> str:
        return f"upnp ({self._settings.root_url or 'discovered router'})"

    async def detect(self) -> IPAddress:
        text = await asyncio.to_thread(external_address, self._settings)
        return usable_address(text, Family.IPV4, public_only=self._public_only)
