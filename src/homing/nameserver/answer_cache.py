"""Remembered responses to repeated queries, so a hot name costs a dict lookup, not a parse.

The engine is a pure function of the query bytes and the view, so the bytes
after the message ID are a complete key, with one refinement: the question
name is keyed in lower case, because resolvers randomise its case (the "0x20"
defence) and would otherwise never hit. A remembered response gets the
query's ID and the query's question bytes copied in; as the answer's names
are compressed against the question, they come out in the query's case too,
byte for byte what the engine would have sent.

Any change to the view empties the cache (``ZoneView.generation``); so does
reaching the size bound. Only standard queries with one plain question are
remembered: other opcodes (UPDATE, NOTIFY) have effects.
bench/dns_qps.py measures what this buys.

Each entry also keeps the slot of its (qtype, rcode) in a list of hit
counts, so a hit is counted for ``/metrics`` by one list increment: about
20 ns, where a Counter keyed by the tuple costs 90 (the whole hit is about
900). Counting must not cost the path it measures.
"""

from __future__ import annotations

from collections import Counter

from homing.nameserver.view import ZoneView

QueryKind = tuple[int, int]
"""(qtype, rcode) of an answered query, as integers: what ``/metrics`` counts."""

DEFAULT_MAX_ENTRIES = 65_536
HEADER_SIZE = 12
OPCODE_BITS = 0x78
"""The opcode's bits in the third byte of the header; zero for a standard QUERY."""
ONE_QUESTION = b"\x00\x01"
MAX_LABEL = 63


def _question_name_end(wire: bytes) -> int | None:
    """Where the question's name ends, or None for anything but one uncompressed name."""
    if wire[4:6] != ONE_QUESTION:
        return None
    at = HEADER_SIZE
    while at < len(wire):
        length = wire[at]
        if length == 0:
            return at + 1
        if length > MAX_LABEL:
            return None
        at += length + 1
    return None


class AnswerCache:
    """Responses by query bytes (ID excluded), per transport, valid for one view generation."""

    def __init__(self, view: ZoneView, *, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self._view = view
        self._max_entries = max_entries
        self._generation = view.generation
        self._udp: dict[bytes, tuple[bytes, int]] = {}
        self._tcp: dict[bytes, tuple[bytes, int]] = {}
        self._slots: dict[QueryKind, int] = {}
        self._hit_counts: list[int] = []

    def get(self, wire: bytes, *, tcp: bool) -> bytes | None:
        if self._generation != self._view.generation:
            self.clear()
            return None
        end = _question_name_end(wire)
        if end is None:
            return None
        key = wire[2:HEADER_SIZE] + wire[HEADER_SIZE:end].lower() + wire[end:]
        entry = (self._tcp if tcp else self._udp).get(key)
        if entry is None:
            return None
        found, slot = entry
        self._hit_counts[slot] += 1
        return wire[:2] + found[: HEADER_SIZE - 2] + wire[HEADER_SIZE:end] + found[end - 2 :]

    def put(self, wire: bytes, response: bytes, *, tcp: bool, kind: QueryKind) -> None:
        if (
            self._max_entries <= 0
            or wire[2] & OPCODE_BITS
            or self._generation != self._view.generation
        ):
            return
        end = _question_name_end(wire)
        if end is None or _question_name_end(response) != end:
            return
        entries = self._tcp if tcp else self._udp
        if len(entries) >= self._max_entries:
            entries.clear()
        key = wire[2:HEADER_SIZE] + wire[HEADER_SIZE:end].lower() + wire[end:]
        slot = self._slots.get(kind)
        if slot is None:
            slot = self._slots[kind] = len(self._hit_counts)
            self._hit_counts.append(0)
        entries[key] = (response[2:], slot)

    @property
    def hits(self) -> Counter[QueryKind]:
        """Answers given from here, by (qtype, rcode)."""
        return Counter({kind: self._hit_counts[slot] for kind, slot in self._slots.items()})

    def clear(self) -> None:
        self._udp.clear()
        self._tcp.clear()
        self._generation = self._view.generation

    def __len__(self) -> int:
        return len(self._udp) + len(self._tcp)
