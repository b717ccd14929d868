"""Response rate limiting (RRL) for UDP answers, as NSD and Knot do it.

A spoofed UDP query makes us send an answer to its victim; many make an
amplifier of us. So each client network (a /24 for IPv4, a /56 for IPv6 by
default) gets at most ``rate`` answers a second; past that, answers are
dropped, except every ``slip``-th, which goes out as an empty truncated
answer: a real resolver behind the network retries over TCP, which proves
its address and is never limited, while the victim gets a packet no bigger
than the query.

The cost is one count per answer, keyed by the network (an IPv4 address's
word under a mask, an IPv6 address's first bytes; a DNS worker's whole
batch at once, ``check_networks``); the window is the current
second (``tick`` once per batch of datagrams), and
the whole table is dropped when
the second changes, so a flood of spoofed networks cannot grow it for long.
"""

from __future__ import annotations

import socket
import sys
from collections import Counter
from dataclasses import dataclass

SEND, DROP, SLIP = 0, 1, 2
HEADER_SIZE = 12
QR_TC = 0x82
MAX_LABEL = 63
IPV4_SIZE = 4


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
        self._v6_bits = settings.ipv6_prefix
        v4_mask = (0xFFFFFFFF << (32 - settings.ipv4_prefix)) & 0xFFFFFFFF
        self._v4_mask = int.from_bytes(v4_mask.to_bytes(4, "big"), sys.byteorder)
        """An IPv4 network is its address read as a native 32-bit word (as the kernel's
        sockaddr holds it, ``DatagramBatch.ipv4_words``) under this mask: an int, never equal
        to an IPv6 network's bytes, so the two families never share a key."""
        self.ipv6_bytes = settings.ipv6_prefix // 8 if settings.ipv6_prefix % 8 == 0 else 0
        """An IPv6 prefix on a byte boundary (the default) makes its network a slice of the
        packed address, this many bytes; 0 when ``network`` must compute it."""
        self._second = -1
        self._counts: Counter[int | bytes] = Counter()
        self._limited = 0
        self.dropped = 0
        self.slipped = 0

    def tick(self, second: int) -> None:
        """Start a new window when the second has changed."""
        if second != self._second:
            self._second = second
            self._counts = Counter()

    def network(self, packed: bytes) -> int | bytes:
        """The client network a packed source address (4 or 16 bytes) is counted in."""
        if len(packed) == IPV4_SIZE:
            return int.from_bytes(packed, sys.byteorder) & self._v4_mask
        if self.ipv6_bytes:
            return packed[: self.ipv6_bytes]
        bits = self._v6_bits
        width = len(packed) * 8
        value = int.from_bytes(packed, "big") >> (width - bits) << (width - bits)
        return value.to_bytes(len(packed), "big")

    def ipv4_networks(self, words: list[int]) -> list[int]:
        """The networks of IPv4 addresses given as native words (``network``'s keys)."""
        return list(map(self._v4_mask.__and__, words))

    def check(self, host: str) -> int:
        """SEND, DROP or SLIP for one more answer to ``host`` (address text) in this second."""
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        return self.check_packed(socket.inet_pton(family, host.partition("%")[0]))

    def check_packed(self, packed: bytes) -> int:
        """``check`` for a packed address, as the kernel gives it (``datagrams``)."""
        return self._check_network(self.network(packed))

    def check_networks(self, networks: list[int] | list[bytes]) -> list[int] | None:
        """``check_packed`` for each answer in turn, given its network (``ipv4_networks``, or
        an IPv6 address's first ``ipv6_bytes``); None when every answer is sent.

        A worker's batch is nearly always under every network's rate: then the
        whole batch is counted in C-level passes (``Counter.update``, one
        ``max``), with no Python call per answer. Only a batch that takes some
        network past its rate is undone and decided answer by answer.
        """
        if not networks:
            return None
        counts = self._counts
        counts.update(networks)
        if max(map(counts.__getitem__, networks)) <= self.rate:
            return None
        counts.subtract(networks)
        return list(map(self._check_network, networks))

    def _check_network(self, key: int | bytes) -> int:
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
