"""Answer sections rendered to wire bytes once, when the data changes, never per query.

A response is header, question, answer, authority, additional. For a plain
query everything after the question depends only on the data and on where
the question's names sit, because names are compressed against the
question (RFC 1035 4.1.4). So the sections are rendered here, by dnspython's
own ``to_wire`` with a compression table laid out exactly as its message
renderer lays it out, and the query path only splices bytes.

Two shapes:

* an **entry**: the answer for a question that names the RRset's owner
  exactly. The question is known, so every compression pointer is final.
* a **template**: the answer for a question only known to end in a base name
  (the zone apex for the SOA of negative answers, the closest encloser for
  wildcard synthesis). Pointers into the base move with the length of the
  question's other labels; the template keeps them relative to where the
  base starts in the question. The offsets are found by rendering twice with
  the base 256 bytes apart: exactly the pointers that moved are relative.

A question that shares more than the base with a name inside a template
(``x.ns1.example.`` against an SOA naming ``ns1.example.``) would be
compressed further by the renderer; ``Template.sensitive`` lists the labels
just below the base that make this happen, and such questions go to the
reference engine.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterable
from dataclasses import dataclass

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

HEADER_SIZE = 12
QUESTION_TAIL = 4
"""Question type and class after the question name."""
POINTER = 0xC000
MAX_POINTER_OFFSET = 0x3FFF
PROBE_BASE = HEADER_SIZE + 1 + 63
"""Where the base starts in the probe question: one 63-byte label in front of it."""
PROBE_SHIFT = 256
"""The second rendering moves the base this far, changing only pointers' high bytes."""
PROBE_LABEL = b"\xff" * 63
"""The probe question's first label; it cannot be a prefix any real data shares."""

Compress = dict[dns.name.Name, int]


@dataclass(frozen=True, slots=True)
class Template:
    """Sections whose pointers into the base are kept relative (see the module docstring)."""

    count: int
    """Records in the rendered section."""
    pieces: tuple[bytes, ...]
    """Literal bytes around the pointers: one more piece than there are pointers."""
    shifts: tuple[int, ...]
    """Each pointer's target, relative to where the base starts in the question."""
    sensitive: frozenset[bytes]
    """Lower-case labels just below the base that names in the rdata start with."""

    def render(self, base_at: int) -> bytes:
        """The section for a question whose base starts at offset ``base_at``."""
        if not self.shifts:
            return self.pieces[0]
        parts = [self.pieces[0]]
        for shift, piece in zip(self.shifts, self.pieces[1:], strict=True):
            parts.append((POINTER | (base_at + shift)).to_bytes(2, "big"))
            parts.append(piece)
        return b"".join(parts)


def _seed_question(qname: dns.name.Name, compress: Compress, at: int) -> int:
    """Enter the question name's suffixes as the renderer does; returns where the name ends."""
    for i in range(len(qname.labels) - 1):
        suffix = dns.name.Name(qname.labels[i:])
        if at <= MAX_POINTER_OFFSET:
            compress[suffix] = at
        at += len(qname.labels[i]) + 1
    return at + 1


def _render(rrsets: Iterable[dns.rrset.RRset], file: io.BytesIO, compress: Compress) -> int:
    count = 0
    for rrset in rrsets:
        # Records keep their stored order (no shuffle), as the reference engine renders them.
        count += rrset.to_wire(file, compress, want_shuffle=False)
    return count


def entry(rrsets: Iterable[dns.rrset.RRset], qname: dns.name.Name) -> tuple[int, bytes]:
    """(record count, section bytes) answering a question for exactly ``qname``."""
    compress: Compress = {}
    file = io.BytesIO()
    start = _seed_question(qname, compress, HEADER_SIZE) + QUESTION_TAIL
    file.seek(start)
    count = _render(rrsets, file, compress)
    return count, file.getvalue()[start:]


def _probe(
    rrsets: list[dns.rrset.RRset], base: dns.name.Name, owner: dns.name.Name, base_at: int
) -> tuple[int, bytes]:
    compress: Compress = {owner: HEADER_SIZE}
    start = _seed_question(base, compress, base_at) + QUESTION_TAIL
    file = io.BytesIO()
    file.seek(start)
    count = _render(rrsets, file, compress)
    return count, file.getvalue()[start:]


def wire_of(name: dns.name.Name) -> bytes:
    """A name's uncompressed wire form (dnspython's ``to_wire`` without a file)."""
    return b"".join(len(label).to_bytes(1, "big") + label for label in name.labels)


def _names_in(rdata: dns.rdata.Rdata) -> list[dns.name.Name]:
    slots: Iterable[str] = rdata._get_all_slots()  # type: ignore[no-untyped-call]
    return [
        value for slot in slots if isinstance(value := getattr(rdata, slot, None), dns.name.Name)
    ]


def _sensitive(rrsets: Iterable[dns.rrset.RRset], base: dns.name.Name) -> frozenset[bytes]:
    depth = len(base.labels) + 1
    labels: set[bytes] = set()
    for rrset in rrsets:
        for rdata in rrset:
            for name in _names_in(rdata):
                if len(name.labels) >= depth and name.is_subdomain(base):
                    labels.add(name.labels[-depth].lower())
    return frozenset(labels)


def template(
    rrsets: list[dns.rrset.RRset], base: dns.name.Name, *, synthesised: bool = False
) -> Template | None:
    """A template of ``rrsets`` for questions ending in ``base``; None if it cannot be one.

    With ``synthesised`` the records are owned by the question name itself
    (wildcard synthesis, RFC 4592): their owners become a pointer to the
    question, whatever the RRsets' own names.
    """
    owner = dns.name.Name((PROBE_LABEL, *base.labels))
    if synthesised:
        rrsets = [dns.rrset.from_rdata_list(owner, r.ttl, list(r)) for r in rrsets]
    count, first = _probe(rrsets, base, owner, PROBE_BASE)
    _, second = _probe(rrsets, base, owner, PROBE_BASE + PROBE_SHIFT)
    end = PROBE_BASE + PROBE_SHIFT + len(wire_of(base)) + QUESTION_TAIL + len(second)
    if len(first) != len(second) or end > MAX_POINTER_OFFSET:
        return None
    pieces: list[bytes] = []
    shifts: list[int] = []
    last = 0
    at = 0
    while at < len(first):
        if first[at] == second[at]:
            at += 1
            continue
        (pointer,) = struct.unpack_from("!H", first, at)
        moved = pointer & POINTER == POINTER and second[at] == first[at] + 1
        if not moved or first[at + 1] != second[at + 1]:
            return None
        pieces.append(first[last:at])
        shifts.append((pointer & MAX_POINTER_OFFSET) - PROBE_BASE)
        at += 2
        last = at
    pieces.append(first[last:])
    return Template(
        count=count,
        pieces=tuple(pieces),
        shifts=tuple(shifts),
        sensitive=_sensitive(rrsets, base),
    )


A_RECORD = struct.Struct("!HHHIH4s")
AAAA_RECORD = struct.Struct("!HHHIH16s")
OWNER_IS_QUESTION = POINTER | HEADER_SIZE


def address_entry(rdtype: int, ttl: int, packed: Iterable[bytes]) -> tuple[int, bytes]:
    """``entry`` for A or AAAA records, by hand: the start-up path for a million hosts.

    Addresses carry no names, so every record is the owner pointer and fixed
    fields; tests hold this to ``entry`` byte for byte.
    """
    record = A_RECORD if rdtype == dns.rdatatype.A else AAAA_RECORD
    size = 4 if rdtype == dns.rdatatype.A else 16
    parts = [
        record.pack(OWNER_IS_QUESTION, rdtype, dns.rdataclass.IN, ttl, size, address)
        for address in packed
    ]
    return len(parts), b"".join(parts)
