"""What the HTTP front doors need from the rest of the provider, handed in by the app wiring."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from starlette.requests import Request

from homing.config import Settings
from homing.core.auth import Authenticator
from homing.core.updates import UpdateService
from homing.domain.addresses import client_address
from homing.store.store import Store


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpContext:
    settings: Settings
    auth: Authenticator
    updates: UpdateService
    store: Store

    def caller(self, request: Request) -> str | None:
        """The caller's address; X-Forwarded-For counts only when the peer is a trusted proxy.

        The header is read from the right: each hop appends, so the rightmost
        address not belonging to a trusted proxy is the one no client could forge.
        """
        peer = client_address(request.client.host) if request.client else None
        if peer is None:
            return None
        networks = [ipaddress.ip_network(n, strict=False) for n in self.settings.trusted_proxies]
        if not networks or not any(peer in net for net in networks):
            return str(peer)
        forwarded = request.headers.get("x-forwarded-for", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        for hop in reversed(hops):
            address = client_address(hop)
            if address is None:
                break
            if not any(address in net for net in networks):
                return str(address)
        return str(peer)
