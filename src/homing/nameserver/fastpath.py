"""The plain query answered over bytes: header, the query's own question, compiled sections.

A plain query is one question of class IN, opcode QUERY, no answer or
authority records, and at most one OPT (version 0) in the additional
section. For it the response is the query's ID, our flags, the counts, the
question bytes exactly as the client sent them (so their letter case is
kept, the "0x20" defence), the compiled sections of the view, and our OPT
when the query had one. A query with the DO bit for a signed zone gets its
signatures too (``signed_fast``). Anything else, and the few shapes not
compiled yet (CNAME chains, ANY at a wildcard, a question that would
compress deeper than a template allows), returns None: the dnspython
engine answers it and stays the reference that
``tests/nameserver/test_fastpath.py`` holds this path to, byte for byte.

A question asked again and again is answered whole from ``hot_answers``
(one lookup by its bytes after the ID) before any of this.

The first lookup guesses the end of the question name with one ``find`` and
the zone with ``endswith``; a hit in the zone's names proves both guesses,
because only well-formed names under the zone are keys there. A miss walks
the labels properly before it answers NXDOMAIN or NODATA.
"""

from __future__ import annotations

import dns.rdatatype

from homing.nameserver import signed_fast
from homing.nameserver.compiled import CompiledView, CompiledZone, type_index
from homing.nameserver.compiler import Template

HEADER_SIZE = 12
MIN_QUERY = HEADER_SIZE + 5
COUNTS_PLAIN = b"\x00\x01\x00\x00\x00\x00\x00\x00"
COUNTS_EDNS = b"\x00\x01\x00\x00\x00\x00\x00\x01"
NOT_PLAIN_BITS = 0xF8
"""QR and the opcode in the third header byte: a plain query has them all clear."""
CLASS_IN = b"\x00\x01"
OPT_TYPE = b"\x00\x29"
OPT_FIXED = 11
"""Root name, type, class (payload), TTL (extended rcode, version, flags), rdata length."""
DO_BIT = 0x80
"""DNSSEC OK, in the first byte of the OPT record's flags: a signed zone's answer is signed."""
OUR_OPT = b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00"
"""Our OPT: root, type 41, payload 1232 (engine.OUR_EDNS_PAYLOAD), no flags, no options."""
OUR_OPT_DO = b"\x00\x00\x29\x04\xd0\x00\x00\x80\x00\x00\x00"
"""Our OPT for a query with the DO bit, which it echoes (RFC 3225 3)."""
MIN_UDP_SIZE = 512
DEFAULT_UDP_MAX_PAYLOAD = 1232
"""The largest UDP answer by default (DNS flag day 2020): no fragments, little amplification."""
TCP_MAX_SIZE = 65535
MAX_LABEL = 63
MAX_NAME = 255
MAX_SHAPES = 4096
HOT_SAMPLE = 8
"""One positive answer in this many is offered to the hot answers (``hot_answers``)."""
Shape = tuple[int, int, bytes, int]
"""What a query's counts, class and OPT mean: (UDP size limit, has EDNS, our OPT, DO bit)."""
FIRST_META_TYPE = 128
"""Types from here up (AXFR, IXFR, TSIG, ...) are the engine's, except ANY."""
ANY = dns.rdatatype.ANY
COUNTED_TYPES = 256
SECOND = 3
"""Where a node's second type sits (``compiled.Node``: type, count, section, type, ...)."""
"""Slots of the answer counts: every type the fast path answers (below 128, and ANY)."""
CNAME = dns.rdatatype.CNAME
NOERROR, NXDOMAIN, REFUSED = 0, 3, 5
AUTHORITATIVE = (b"\x84", b"\x85")
"""QR and AA, with RD copied from the query (index: the query's RD bit)."""
TRUNCATED = (b"\x86\x00", b"\x87\x00")
NOT_AUTHORITATIVE = (b"\x80", b"\x81")
RCODE_BYTE = {NOERROR: b"\x00", NXDOMAIN: b"\x03", REFUSED: b"\x05"}
ONE_QUESTION = b"\x00\x01"
POSITIVE = (b"\x84\x00\x00\x01", b"\x85\x00\x00\x01")
"""Flags (QR, AA, RD as the query's, NOERROR) and the question count of a positive answer."""
NS_AR = (b"\x00\x00\x00\x00", b"\x00\x00\x00\x01")
"""No authority records; an additional one (our OPT) when the query had EDNS."""
NO_RECORDS = b"\x00\x00"
AR_COUNT = (b"\x00\x00", b"\x00\x01")
ONE_AUTHORITY = b"\x00\x01"
COOKIE = 10
COOKIE_SIZES = frozenset({8, *range(16, 41)})
"""RFC 7873 client cookie (8 bytes), optionally with a server cookie of 8 to 32 bytes."""
PARSED_OPTIONS = frozenset({3, 8, 15, 18, 22, 23, 24, 25})
"""EDNS options dnspython parses (NSID, ECS, EDE, report channel, ...): the reference's."""


def _options_plain(wire: bytes, at: int, end: int) -> bool:
    """True when every option is well formed and needs nothing of the reference parser."""
    while at < end:
        if at + 4 > end:
            return False
        code = wire[at] << 8 | wire[at + 1]
        length = wire[at + 2] << 8 | wire[at + 3]
        at += 4 + length
        if at > end or code in PARSED_OPTIONS:
            return False
        if code == COOKIE and length not in COOKIE_SIZES:
            return False
    return True


class FastPath:
    """Answers plain queries from a CompiledView; None means: ask the reference engine."""

    def __init__(
        self,
        view: CompiledView,
        *,
        udp_max_payload: int = DEFAULT_UDP_MAX_PAYLOAD,
        hot_sample: int = HOT_SAMPLE,
    ) -> None:
        if hot_sample < 1 or hot_sample & (hot_sample - 1):
            raise ValueError(f"hot_sample must be a power of two, not {hot_sample}")
        self.view = view
        self._hot = view.hot
        self._hot_replies = view.hot.replies
        self._hot_mask = hot_sample - 1
        """One positive answer of a type in ``hot_sample`` is offered to ``view.hot``."""
        self.udp_max_payload = udp_max_payload
        """UDP answers larger than this (or the client's size) go out truncated (TC)."""
        self.noerror = [0] * COUNTED_TYPES
        self.nxdomain = [0] * COUNTED_TYPES
        self.refused = [0] * COUNTED_TYPES
        """Answers by question type, one list per rcode: a count costs one list increment.
        Only types below 128 and ANY (255) are answered here, so 256 slots hold them all,
        and ``counts`` (every second in each DNS worker) reads few."""
        self._shapes: dict[bytes, Shape] = {}

    def counts(self) -> dict[tuple[int, int], int]:
        """Answers given here by (qtype, rcode), for ``/metrics``."""
        found: dict[tuple[int, int], int] = {}
        for rcode, slots in (
            (NOERROR, self.noerror),
            (NXDOMAIN, self.nxdomain),
            (REFUSED, self.refused),
        ):
            for qtype, count in enumerate(slots):
                if count:
                    found[qtype, rcode] = count
        return found

    def answer(self, wire: bytes, tcp: bool) -> bytes | None:
        replies = self._hot_replies
        if replies:
            found = replies.get(wire[2:])
            if found is not None:
                self._hot.hits += 1
                self.noerror[found[0]] += 1
                return wire[:2] + found[1]
        if len(wire) < MIN_QUERY or wire[2] & NOT_PLAIN_BITS:
            return None
        zero = wire.find(0, HEADER_SIZE)
        qend = zero + 5
        # The counts, the class and the OPT record, as bytes: a few shapes carry nearly all
        # traffic, so their meaning is looked up instead of parsed (see _shape).
        key = wire[4:12] + wire[zero + 3 :]
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shape(wire, qend, key)
            if shape is None:
                return None
        limit, edns, tail, dnssec_ok = shape
        qtype = wire[zero + 1] << 8 | wire[zero + 2]
        if qtype >= FIRST_META_TYPE and qtype != ANY:
            return None
        if tcp:
            limit = TCP_MAX_SIZE
        rd = wire[2] & 1
        lower = wire[HEADER_SIZE : zero + 1].lower()
        for suffix, zone in self.view.by_length:
            if lower.endswith(suffix):
                signatures = zone.dnssec
                if signatures is not None and dnssec_ok:
                    # The signed answers are laid out as the node is (signed_fast.kept_answers).
                    kept = signatures.answers.get(lower) or signed_fast.kept_answers(
                        lower, zone, signatures
                    )
                    if kept is not None:
                        at = 0 if kept[0] == qtype else type_index(kept, qtype)
                        if at >= 0:
                            counts = kept[at + 1]
                            if counts is None:
                                return None
                            self.noerror[qtype] += 1
                            sections = kept[at + 2]
                            if qend + len(sections) + len(tail) > limit:
                                return _truncated(wire, qend, rd, edns, tail)
                            return b"".join(
                                (
                                    wire[:2],
                                    POSITIVE[rd],
                                    counts,
                                    wire[HEADER_SIZE:qend],
                                    sections,
                                    tail,
                                )
                            )
                    break
                node = zone.nodes.get(lower)
                if node is not None:
                    # The first two types (a host's A and AAAA) are the common case: no call.
                    if node[0] == qtype:
                        at = 0
                    elif len(node) > SECOND and node[SECOND] == qtype:
                        at = SECOND
                    else:
                        at = type_index(node, qtype)
                    if at >= 0:
                        noerror = self.noerror
                        answered = noerror[qtype] + 1
                        noerror[qtype] = answered
                        section = node[at + 2]
                        if qend + len(section) + len(tail) > limit:
                            return _truncated(wire, qend, rd, edns, tail)
                        reply = b"".join(
                            (
                                wire[:2],
                                POSITIVE[rd],
                                node[at + 1],
                                NS_AR[edns],
                                wire[HEADER_SIZE:qend],
                                section,
                                tail,
                            )
                        )
                        if (
                            not answered & self._hot_mask
                            and not tcp
                            and len(wire) == qend + OPT_FIXED * edns
                            and len(reply) <= MIN_UDP_SIZE
                        ):
                            # Untruncated under any size limit, over UDP and TCP alike.
                            self._hot.offer(lower, wire[2:], qtype, reply[2:])
                        return reply
                break
        return self._miss(wire, zero, qend, lower, qtype, rd, shape, limit)

    def _signed(
        self,
        wire: bytes,
        qend: int,
        qtype: int,
        rd: int,
        tail: bytes,
        limit: int,
        found: signed_fast.Found | None,
    ) -> bytes | None:
        """A signed zone's answer to a query with the DO bit (``signed_fast``)."""
        if found is None:
            return None
        rcode, answers, authority, sections = found
        (self.nxdomain if rcode else self.noerror)[qtype] += 1
        if qend + len(sections) + len(tail) > limit:
            return _truncated(wire, qend, rd, 1, tail)
        flags = AUTHORITATIVE[rd] + RCODE_BYTE[rcode]
        return _message(wire, qend, flags, answers, authority, 1, sections, tail)

    def _shape(self, wire: bytes, qend: int, key: bytes) -> Shape | None:
        """(UDP size limit, has EDNS, our OPT, DO) of a plain query's counts, class and OPT.

        None for anything that is not a plain query. The answer depends only on
        ``key``'s bytes, so it is remembered for the next query of the same
        shape; not with EDNS options, whose cookies make every client's unique.
        """
        size = len(wire)
        counts = wire[4:12]
        if wire[qend - 2 : qend] != CLASS_IN:
            return None
        shape: Shape
        if counts == COUNTS_PLAIN:
            if size != qend:
                return None
            shape = (MIN_UDP_SIZE, 0, b"", 0)
        elif counts == COUNTS_EDNS:
            if (
                size < qend + OPT_FIXED
                or wire[qend]
                or wire[qend + 1 : qend + 3] != OPT_TYPE
                or wire[qend + 6]
            ):
                return None
            length = wire[qend + 9] << 8 | wire[qend + 10]
            if size != qend + OPT_FIXED + length:
                return None
            if length and not _options_plain(wire, qend + OPT_FIXED, size):
                return None
            payload = wire[qend + 3] << 8 | wire[qend + 4]
            limit = min(self.udp_max_payload, max(MIN_UDP_SIZE, payload))
            dnssec_ok = wire[qend + 7] & DO_BIT
            shape = (limit, 1, OUR_OPT_DO if dnssec_ok else OUR_OPT, dnssec_ok)
            if length:
                return shape
        else:
            return None
        if len(self._shapes) < MAX_SHAPES:
            self._shapes[key] = shape
        return shape

    def _miss(
        self,
        wire: bytes,
        zero: int,
        qend: int,
        lower: bytes,
        qtype: int,
        rd: int,
        shape: Shape,
        limit: int,
    ) -> bytes | None:
        edns, tail = shape[1], shape[2]
        starts: list[int] = []
        at = HEADER_SIZE
        while True:
            length = wire[at]
            if length == 0:
                break
            if length > MAX_LABEL:
                return None
            starts.append(at - HEADER_SIZE)
            at += length + 1
            if at >= zero:
                break
        if at != zero or zero - HEADER_SIZE + 1 > MAX_NAME:
            return None
        zones = self.view.zones
        for depth, start in enumerate(starts):  # noqa: B007 (depth is used below)
            zone = zones.get(lower[start:])
            if zone is not None:
                break
        else:
            if qtype == ANY:
                return None
            self.refused[qtype] += 1
            flags = NOT_AUTHORITATIVE[rd] + RCODE_BYTE[REFUSED]
            return _message(wire, qend, flags, NO_RECORDS, NO_RECORDS, edns, b"", tail)
        if zone.dnssec is not None and shape[3]:
            found = signed_fast.answer(wire, qend, zone, zone.dnssec, starts, depth, lower, qtype)
            return self._signed(wire, qend, qtype, rd, tail, limit, found)
        node = zone.nodes.get(lower)
        if node is not None:
            at = type_index(node, qtype)
            if at >= 0:
                self.noerror[qtype] += 1
                section: bytes = node[at + 2]
                if qend + len(section) + len(tail) > limit:
                    return _truncated(wire, qend, rd, edns, tail)
                flags = POSITIVE[rd][:2]
                return _message(wire, qend, flags, node[at + 1], NO_RECORDS, edns, section, tail)
            if CNAME in node:
                return None
            return self._negative(
                wire, qend, zone, starts, depth, qtype, NOERROR, rd, edns, tail, limit
            )
        if lower in zone.ents:
            return self._negative(
                wire, qend, zone, starts, depth, qtype, NOERROR, rd, edns, tail, limit
            )
        if zone.wildcards and depth:
            for index in range(1, depth + 1):
                encloser = lower[starts[index] :]
                if index == depth or zone.node_exists_key(encloser):
                    break
            templates = zone.wildcards.get(encloser)
            if templates is not None:
                if qtype == ANY or CNAME in templates:
                    return None
                template = templates.get(qtype)
                if template is None:
                    if qtype in templates:
                        return None
                    return self._negative(
                        wire, qend, zone, starts, depth, qtype, NOERROR, rd, edns, tail, limit
                    )
                return self._synthesised(
                    wire, qend, starts, index, template, qtype, rd, edns, tail, limit
                )
        return self._negative(
            wire, qend, zone, starts, depth, qtype, NXDOMAIN, rd, edns, tail, limit
        )

    def _synthesised(
        self,
        wire: bytes,
        qend: int,
        starts: list[int],
        index: int,
        found: Template,
        qtype: int,
        rd: int,
        edns: int,
        tail: bytes,
        limit: int,
    ) -> bytes | None:
        """A wildcard's answer, its closest encloser starting at ``starts[index]`` (RFC 4592)."""
        below = starts[index - 1]
        if wire[HEADER_SIZE + below + 1 : HEADER_SIZE + starts[index]].lower() in found.sensitive:
            return None
        section = found.render(HEADER_SIZE + starts[index])
        if qend + len(section) + len(tail) > limit:
            return _truncated(wire, qend, rd, edns, tail)
        self.noerror[qtype] += 1
        flags = AUTHORITATIVE[rd] + RCODE_BYTE[NOERROR]
        count = found.count.to_bytes(2, "big")
        return _message(wire, qend, flags, count, NO_RECORDS, edns, section, tail)

    def _negative(
        self,
        wire: bytes,
        qend: int,
        zone: CompiledZone,
        starts: list[int],
        depth: int,
        qtype: int,
        rcode: int,
        rd: int,
        edns: int,
        tail: bytes,
        limit: int,
    ) -> bytes | None:
        """NXDOMAIN or NODATA: the zone's SOA template, placed after the question (RFC 2308)."""
        negative = zone.negative
        if depth and negative.sensitive:
            label = wire[HEADER_SIZE + starts[depth - 1] + 1 : HEADER_SIZE + starts[depth]]
            if label.lower() in negative.sensitive:
                return None
        section = negative.render(HEADER_SIZE + starts[depth])
        if qend + len(section) + len(tail) > limit:
            return _truncated(wire, qend, rd, edns, tail)
        (self.nxdomain if rcode else self.noerror)[qtype] += 1
        flags = AUTHORITATIVE[rd] + RCODE_BYTE[rcode]
        return _message(wire, qend, flags, NO_RECORDS, ONE_AUTHORITY, edns, section, tail)


def _truncated(wire: bytes, qend: int, rd: int, edns: int, tail: bytes) -> bytes:
    """Header and question only, TC set: the client retries over TCP (RFC 7766)."""
    return _message(wire, qend, TRUNCATED[rd], NO_RECORDS, NO_RECORDS, edns, b"", tail)


def _message(
    wire: bytes,
    qend: int,
    flags: bytes,
    answers: bytes,
    authority: bytes,
    edns: int,
    sections: bytes,
    tail: bytes,
) -> bytes:
    """ID, flags, the four counts, the query's question, the sections, our OPT."""
    return b"".join(
        (
            wire[:2],
            flags,
            ONE_QUESTION,
            answers,
            authority,
            AR_COUNT[edns],
            wire[HEADER_SIZE:qend],
            sections,
            tail,
        )
    )
