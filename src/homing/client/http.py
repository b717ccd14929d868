"""The client's HTTP connections: one User-Agent, timeouts, and the address family to use.

Echo services must be asked over the family they are to report, so a source
for IPv4 binds its connections to ``0.0.0.0`` and one for IPv6 to ``::``.
"""

from __future__ import annotations

import httpx

from homing import __version__
from homing.client.addresses import Family

USER_AGENT = f"homing-client/{__version__}"


def new_http_client(*, timeout: float, family: Family | None = None) -> httpx.AsyncClient:
    """An AsyncClient with our User-Agent; with ``family``, it connects only over that family."""
    local = {Family.IPV4: "0.0.0.0", Family.IPV6: "::", None: None}[family]
    transport = httpx.AsyncHTTPTransport(local_address=local, retries=0)
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(timeout),
        headers={"User-Agent": USER_AGENT},
        follow_redirects=False,
        trust_env=False,
    )
