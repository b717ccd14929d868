"""HTTP connections under limits uvicorn does not set: header size, header time, per source.

uvicorn's httptools protocol (the fast one) reads a request head of any size
for as long as the client likes to send it, and lets one address hold any
number of connections (issue 11: a 4 MiB header was answered 200, and 40
connections dripping header bytes were never closed). ``GuardedHttpProtocol``
adds, at the protocol layer, before the application sees a request:

* a request line longer than ``MAX_REQUEST_LINE_BYTES`` gets ``414``, a head
  (request line and headers) longer than ``http_max_header_bytes`` ``431``;
* a head not complete ``http_header_timeout_seconds`` after the connection
  opened or the request began gets ``408`` and the connection is closed;
* an address (the TCP peer; a trusted proxy is exempt) with
  ``http_max_connections_per_source`` connections open gets the next one
  closed at once.

The cap on all connections (``http_max_connections``) is uvicorn's own
``limit_concurrency``: while that many are open, a request gets ``503``.

The checks are a few integer comparisons per read, not per request header.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger(__name__)

MAX_REQUEST_LINE_BYTES = 8192
_REASONS = {408: b"Request Timeout", 414: b"URI Too Long", 431: b"Request Header Fields Too Large"}

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(kw_only=True)
class ConnectionLimits:
    """The limits and the count of open connections per source, shared by all connections."""

    max_header_bytes: int
    header_timeout: float
    max_per_source: int
    exempt: Sequence[Network] = ()
    open_by_source: Counter[str] = field(default_factory=Counter)
    refused: Counter[int] = field(default_factory=Counter)
    """Connections refused, by status (0: over the per-source cap), for tests and metrics."""

    def exempted(self, host: str) -> bool:
        if not self.exempt:
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.exempt)


def guarded_protocol(limits: ConnectionLimits) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol class bound to ``limits`` (uvicorn builds it per connection)."""

    class Bound(GuardedHttpProtocol):
        pass

    Bound.limits = limits
    return Bound


class GuardedHttpProtocol(HttpToolsProtocol):
    """See the module docstring; ``limits`` is set on the subclass ``guarded_protocol`` makes."""

    limits: ConnectionLimits

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._source: str | None = None
        self._head_bytes = 0
        self._in_head = True
        self._head_timer: asyncio.TimerHandle | None = None
        self._refusal: int | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        host = self.client[0] if self.client else None
        if host is not None and not self.limits.exempted(host):
            if self.limits.open_by_source[host] >= self.limits.max_per_source:
                self.limits.refused[0] += 1
                log.info("HTTP connection from %s refused: too many open from there", host)
                transport.abort()
                return
            self._source = host
            self.limits.open_by_source[host] += 1
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        if self._source is not None:
            remaining = self.limits.open_by_source[self._source] - 1
            if remaining > 0:
                self.limits.open_by_source[self._source] = remaining
            else:
                del self.limits.open_by_source[self._source]
            self._source = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refusal is not None:
            return
        counting = self._in_head
        super().data_received(data)
        if self._refusal is None and counting and self._in_head:
            # Still in a head after this read: httptools holds what it has seen of it.
            self._head_bytes += len(data)
            if self._head_bytes > self.limits.max_header_bytes:
                self._refuse(431)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head, self._head_bytes = True, 0
        if self._head_timer is None:
            self._arm_head_timer()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > MAX_REQUEST_LINE_BYTES:
            self._refuse(414)
            raise _Refused

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._disarm_head_timer()
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        if self._refusal is None:  # a refusal of ours already answered and closed
            super().send_400_response(msg)

    def _arm_head_timer(self) -> None:
        self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._in_head and not self.transport.is_closing():
            if self._head_bytes or getattr(self, "url", None):
                self._refuse(408)
            else:
                self.transport.close()  # nothing sent at all: nobody to answer

    def _refuse(self, status: int) -> None:
        """Answer ``status`` without the application and close the connection."""
        self._refusal = status
        self.limits.refused[status] += 1
        self._disarm_head_timer()
        if self.transport.is_closing():
            return
        reason = _REASONS[status]
        body = reason + b"\n"
        self.transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (status, reason, len(body), body)
        )
        self.transport.close()


class _Refused(Exception):
    """Stops httptools mid-parse after a refusal (uvicorn sees a parser error; our
    ``send_400_response`` then leaves the answer already sent alone)."""
