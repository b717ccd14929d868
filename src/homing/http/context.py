"""What the HTTP front doors need from the rest of the provider, handed in by the app wiring."""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from starlette.requests import Request

from homing.activity import ActivityWindow
from homing.config import Settings
from homing.core.acme import AcmeAccounts, AcmeUpdates
from homing.core.api_services import ApiServices
from homing.core.auth import Authenticator
from homing.core.updates import UpdateService
from homing.domain.addresses import IPAddress, client_address
from homing.store.store import Store


@lru_cache(maxsize=1024)
def _peer_address(host: str) -> IPAddress | None:
    """``client_address`` of a socket's peer: few distinct ones, each asked again and again."""
    return client_address(host)


@dataclass(frozen=True, kw_only=True)
class HttpContext:
    settings: Settings
    auth: Authenticator
    updates: UpdateService
    store: Store
    acme_accounts: AcmeAccounts
    acme_updates: AcmeUpdates
    api: ApiServices
    metrics: Callable[[], tuple[bytes, str]] | None = None
    """Renders ``/metrics`` (body, content type); None: no metrics route answers."""
    unknown_parameters: Counter[str] = field(default_factory=Counter)
    """Update parameters nobody defines, ignored, counted per front door for ``/metrics``."""
    dns_addresses: tuple[tuple[str, int], ...] = ()
    """Where the DNS server listens (host, port), for the clients' ``dns_server``."""
    activity: ActivityWindow = field(default_factory=ActivityWindow)
    """The last 24 hours, minute by minute, for the operator's charts (filled by the app)."""
    session_key: bytes | None = None
    """The web UI's signing key, shared by every node through the database
    (``core/session_key.py``); None: the data directory's key file."""

    def caller(self, request: Request) -> str | None:
        """The caller's address; X-Forwarded-For counts only when the peer is a trusted proxy.

        The header is read from the right: each hop appends, so the rightmost
        address not belonging to a trusted proxy is the one no client could forge.
        When every hop is trusted the leftmost is the caller (a client on the
        proxies' own network); a hop that is not an address ends the walk.
        """
        peer = _peer_address(request.client.host) if request.client else None
        if peer is None:
            return None
        networks = self._trusted_networks
        if not networks or not any(peer in net for net in networks):
            return str(peer)
        forwarded = request.headers.get("x-forwarded-for", "")
        caller = peer
        for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
            address = client_address(hop)
            if address is None:
                break
            caller = address
            if not any(address in net for net in networks):
                break
        return str(caller)

    @cached_property
    def _trusted_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(n, strict=False) for n in self.settings.trusted_proxies]
