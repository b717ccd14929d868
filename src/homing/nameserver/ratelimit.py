"""Response rate limiting (RRL) for UDP answers, as NSD and Knot do it.

A spoofed UDP query makes us send an answer to its victim; many make an
amplifier of us. So each client network (a /24 for IPv4, a /56 for IPv6 by
default) gets at most ``rate`` answers a second; past that, answers are
dropped, except every ``slip``-th, which goes out as an empty truncated
answer: a real resolver behind the network retries over TCP, which proves
its address and is never limited, while the victim gets a packet no bigger
than the query.

The cost is one dict update per answer; the window is the current second
(``tick`` once per batch of datagrams), and the whole table is dropped when
the second changes, so a flood of spoofed networks cannot grow it for long.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

SEND, DROP, SLIP = 0, 1, 2
HEADER_SIZE = 12
QR_TC = 0x82
MAX_LABEL = 63


@dataclass(frozen=True, slots=True, kw_only=True)
class RateLimitSettings:
    rate: int
    """Answers per second per client network; 0 turns the limit off."""
    slip: int
    """Every slip-th limited answer goes out truncated; 0: drop them all."""
    ipv4_prefix: int = 24
    ipv6_prefix: int = 56


class ResponseRateLimit:
    """Decides, per UDP answer, whether it is sent, dropped or slipped (module docstring)."""

    def __init__(self, settings: RateLimitSettings) -> None:
        self.rate = settings.rate
        self.slip = settings.slip
        self._v4_bits = settings.ipv4_prefix
        self._v6_bits = settings.ipv6_prefix
        self._v4_slash_24 = settings.ipv4_prefix == 24
        self._second = -1
        self._counts: dict[str, int] = {}
        self._limited = 0
        self.dropped = 0
        self.slipped = 0

    def tick(self, second: int) -> None:
        """Start a new window when the second has changed."""
        if second != self._second:
            self._second = second
            self._counts = {}

    def network(self, host: str) -> str:
        """The client network a source address is counted in."""
        if ":" not in host:
            if self._v4_bits == 24:
                return host.rpartition(".")[0]
            return str(ipaddress.ip_network(f"{host}/{self._v4_bits}", strict=False))
        if self._v6_bits % 8 == 0:
            packed = socket.inet_pton(socket.AF_INET6, host.partition("%")[0])
            return packed[: self._v6_bits // 8].hex()
        return str(ipaddress.ip_network(f"{host.partition('%')[0]}/{self._v6_bits}", strict=False))

    def check(self, host: str) -> int:
        """SEND, DROP or SLIP for one more answer to ``host`` in this second."""
        # The common case inline: an IPv4 /24 is the text before the last dot.
        key = (
            host.rpartition(".")[0] if self._v4_slash_24 and ":" not in host else self.network(host)
        )
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        if count <= self.rate:
            return SEND
        self._limited += 1
        if self.slip and self._limited % self.slip == 0:
            self.slipped += 1
            return SLIP
        self.dropped += 1
        return DROP


def truncated(wire: bytes) -> bytes | None:
    """The slip answer to a query: its ID and question, QR and TC set, nothing else."""
    if len(wire) < HEADER_SIZE + 5 or wire[4:6] != b"\x00\x01":
        return None
    at = HEADER_SIZE
    while at < len(wire):
        length = wire[at]
        if length == 0:
            end = at + 5
            if end > len(wire):
                return None
            flags = bytes((QR_TC | (wire[2] & 0x79), 0))
            return wire[:2] + flags + b"\x00\x01" + b"\x00" * 6 + wire[HEADER_SIZE:end]
        if length > MAX_LABEL:
            return None
        at += length + 1
    return None
