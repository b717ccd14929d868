"""DO=1 answers from a signed zone over bytes: the compiled sections and their signatures.

The fast path (``fastpath``) hands a plain query with the DO bit for a signed
zone here. What the reference (``signed_answers.add_signatures``) adds with
dnspython is added here from wire bytes that ``signatures.ZoneSignatures``
keeps: after a positive answer its RRSIG, owned by the question (pointer
12); after a negative answer's SOA the SOA's RRSIG and the NSEC3 proof of
RFC 5155 7.2, each NSEC3 owner being its hashed label and a pointer to the
zone's name in the question, and each of its RRSIGs a pointer to that owner,
as dnspython's renderer compresses them.

Nearly all of it is kept between queries. A positive answer is one lookup
(``kept_answers``). A proof's bytes depend only on where the zone's name
starts in the question and which NSEC3 records it holds: the SOA with its
RRSIGs is kept per position, each NSEC3 with its RRSIGs per (hash, offset,
position), and per closest encloser its own hash and the hash that covers
its wildcard. What is left per NXDOMAIN is one SHA-1 and one search in the
chain for the next closer name, the one part that changes from name to
name (RFC 9276: no salt, no extra iterations), and a NODATA the SHA-1 of
the name itself.

Left to the reference engine (None): wildcard synthesis and a wildcard's
NODATA, a name holding a CNAME, and a question whose label below the apex is
as long as a hashed label (a renderer would compress an NSEC3 owner into
it), besides what the unsigned fast path leaves too.
"""

from __future__ import annotations

import hashlib

import dns.rdatatype

from homing.nameserver.compiled import (
    CompiledZone,
    Node,
    count_bytes,
    record_count,
    type_index,
)
from homing.nameserver.compiler import HEADER_SIZE, MAX_POINTER_OFFSET, POINTER
from homing.nameserver.signatures import NegativeHead, ZoneSignatures

NOERROR, NXDOMAIN = 0, 3
NO_RECORDS = b"\x00\x00"
ONE_RECORD = b"\x00\x01"
HASHED_LABEL = 32
"""The length of an NSEC3 owner's first label: base32hex of a SHA-1."""
WILDCARD_LABEL = b"\x01*"
CNAME = dns.rdatatype.CNAME
MAX_KEPT = 4096
"""Proof pieces and enclosers kept at most: the common ones are few, the rest is made again."""
Found = tuple[int, bytes, bytes, bytes]
"""(rcode, answer count, authority count, the sections after the question)."""
SIGNED_COUNTS: dict[bytes, bytes] = {}
"""The answer, authority and additional counts of positive signed answers, one object each:
nearly every answer shares one of a few, which stay in the CPU's cache."""


def _hash(key: bytes) -> bytes:
    """The NSEC3 hash of a name's lookup key: lower-case wire bytes are its canonical form."""
    return hashlib.sha1(key, usedforsecurity=False).digest()


def positive(lower: bytes, zone: CompiledZone, at: int, signatures: ZoneSignatures) -> Found | None:
    """The answer at ``at`` in the name's node for a question naming its owner, and its
    RRSIG."""
    kept = signatures.answers.get(lower) or kept_answers(lower, zone, signatures)
    counts = kept[at + 1] if kept is not None else None
    if kept is None or counts is None:
        return None
    return NOERROR, counts[:2], NO_RECORDS, kept[at + 2]


def kept_answers(lower: bytes, zone: CompiledZone, signatures: ZoneSignatures) -> Node | None:
    """The positive signed answers at the name's node with our OPT (None: no such node).

    Laid out as the node is: each type where the node has it, then the
    answer, authority and additional counts (None for an RRset without an
    RRSIG: the reference answers it), then the sections that the fast path
    splices after the question. Kept in ``signatures.answers`` for the next
    query, so that a signed answer costs one lookup, as an unsigned one does;
    every change to the node signs its RRset again, which forgets them.
    """
    node = zone.nodes.get(lower)
    if node is None:
        return None
    kept: list[object] = []
    for at in range(0, len(node), 3):
        signature = signatures.answer_rrsig(lower, node[at])
        if signature is None:
            kept += (node[at], None, node[at + 2])
            continue
        signed, rrsig = signature
        counts = count_bytes(record_count(node[at + 1]) + signed) + NO_RECORDS + ONE_RECORD
        kept += (node[at], SIGNED_COUNTS.setdefault(counts, counts), node[at + 2] + rrsig)
    found = tuple(kept)
    signatures.answers[lower] = found
    return found


def answer(
    wire: bytes,
    qend: int,
    zone: CompiledZone,
    signatures: ZoneSignatures,
    starts: list[int],
    depth: int,
    lower: bytes,
    qtype: int,
) -> Found | None:
    """A signed answer for a question whose name's labels start at ``starts`` (relative to
    the question), the zone's name at ``starts[depth]``."""
    node = zone.nodes.get(lower)
    if node is not None:
        at = type_index(node, qtype)
        if at >= 0:
            return positive(lower, zone, at, signatures)
        if CNAME in node:
            return None
        return _denial(wire, qend, zone, signatures, starts, depth, NOERROR, [_hash(lower)])
    if lower in zone.ents:
        return _denial(wire, qend, zone, signatures, starts, depth, NOERROR, [_hash(lower)])
    if depth == 0:
        return None
    index = depth
    for index in range(1, depth + 1):
        if index == depth or zone.node_exists_key(lower[starts[index] :]):
            break
    encloser = lower[starts[index] :]
    if encloser in zone.wildcards:
        return None
    closer = lower[starts[index - 1] :]
    matched, wildcard_cover = signatures.enclosers.get(encloser) or _encloser(encloser, signatures)
    closer_cover = signatures.chain.covering_hash(_hash(closer))
    unique = list(dict.fromkeys((matched, closer_cover, wildcard_cover)))
    return _denial(wire, qend, zone, signatures, starts, depth, NXDOMAIN, unique)


def _encloser(encloser: bytes, signatures: ZoneSignatures) -> tuple[bytes, bytes]:
    """(the hash of a closest encloser, the hash whose NSEC3 covers its wildcard): the same
    for every name below it until the chain changes (most often the encloser is the apex)."""
    kept = signatures.enclosers
    if len(kept) >= MAX_KEPT:
        kept.clear()
    found = _hash(encloser), signatures.chain.covering_hash(_hash(WILDCARD_LABEL + encloser))
    kept[encloser] = found
    return found


def _denial(
    wire: bytes,
    qend: int,
    zone: CompiledZone,
    signatures: ZoneSignatures,
    starts: list[int],
    depth: int,
    rcode: int,
    digests: list[bytes],
) -> Found | None:
    """The negative SOA, its RRSIG and the NSEC3 records of ``digests`` with theirs."""
    negative = zone.negative
    zone_at = HEADER_SIZE + starts[depth]
    if depth:
        below = HEADER_SIZE + starts[depth - 1]
        if wire[below] == HASHED_LABEL:
            return None
        if negative.sensitive and wire[below + 1 : zone_at].lower() in negative.sensitive:
            return None
    head = signatures.negative_heads.get(zone_at)
    if head is None or head[0] is not negative:
        head = _negative_head(zone, signatures, zone_at)
        if head is None:
            return None
    soa, records = head[1], head[2]
    parts = [soa]
    offset = qend + len(soa)
    pieces = signatures.proof_pieces
    for digest in digests:
        if offset > MAX_POINTER_OFFSET:
            return None
        piece = pieces.get((digest, offset, zone_at)) or _proof_piece(
            signatures, digest, offset, zone_at
        )
        parts.append(piece[0])
        records += piece[1]
        offset += len(piece[0])
    return rcode, NO_RECORDS, count_bytes(records), b"".join(parts)


def _negative_head(
    zone: CompiledZone, signatures: ZoneSignatures, zone_at: int
) -> NegativeHead | None:
    """The negative SOA and its RRSIGs for a question naming the zone at ``zone_at``."""
    soa_rrsig = signatures.negative_rrsig(zone.key)
    if soa_rrsig is None:
        return None
    to_zone = (POINTER | zone_at).to_bytes(2, "big")
    soa = zone.negative.render(zone_at) + b"".join(to_zone + tail for tail in soa_rrsig)
    head = zone.negative, soa, 1 + len(soa_rrsig)
    signatures.negative_heads[zone_at] = head
    return head


def _proof_piece(
    signatures: ZoneSignatures, digest: bytes, offset: int, zone_at: int
) -> tuple[bytes, int]:
    """(wire, records) of the NSEC3 record of ``digest`` and its RRSIGs at ``offset``, its
    owner a hashed label and a pointer to the zone's name in the question, at ``zone_at``."""
    owner, nsec3, rrsig, _ = signatures.denial_wire(digest)
    to_zone = (POINTER | zone_at).to_bytes(2, "big")
    to_owner = (POINTER | offset).to_bytes(2, "big")
    piece = b"".join((owner, to_zone, nsec3, *(to_owner + tail for tail in rrsig))), 1 + len(rrsig)
    kept = signatures.proof_pieces
    if len(kept) >= MAX_KEPT:
        kept.clear()
    kept[digest, offset, zone_at] = piece
    return piece
