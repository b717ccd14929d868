"""The client's HTTP connections: one User-Agent, timeouts, and the address family to use.

Echo services must be asked over the family they are to report, so a source
for IPv4 binds its connections to ``0.0.0.0`` and one for IPv6 to ``::``.

httpx logs every request's full URL at INFO, and some providers take their
credential in the URL (DuckDNS, Namecheap, FreeDNS): its logger is held at
WARNING so that no secret reaches a log (issue 14).
"""

from __future__ import annotations

import logging

import httpx

from homing import __version__
from homing.client.addresses import Family

USER_AGENT = f"homing-client/{__version__}"

logging.getLogger("httpx").setLevel(logging.WARNING)


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
