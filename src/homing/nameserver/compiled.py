"""The DNS view as compiled answers: what every query reads, patched per name by change events.

Each zone keeps, per owner name (lower-case wire bytes), the answer entry of
every type it holds (``compiler.entry``), the empty non-terminals, the
wildcards' templates by closest encloser, and one negative template: the SOA
that NXDOMAIN and NODATA answers splice in. A change recompiles the RRsets it
names and, when it touches a wildcard, that wildcard's templates; a serial
bump patches the serial into the apex SOA and the one negative template, never a name.
Only the answers to the questions asked most are kept whole
(``hot_answers``), and the view forgets those of a name whenever it puts that
name's RRsets: no answer is ever flushed wholesale, and none can be stale.

The same view answers the reference engine (``engine.Engine``) and the zone
transfers through ``find_zone``: their RRsets are decoded from the entries on
demand. That costs a parse, which is why the fast path (``fastpath``) never
asks for it.

Nodes keep their types in the order the reference view
(``view.ZoneData``) does, so ``ANY`` picks the same RRset in both.
"""

from __future__ import annotations

import functools
import logging
import marshal
import pickle
import socket
import struct
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import dns.message
import dns.name
import dns.rdatatype
import dns.rrset

from homing.dnssec.signer import Unsigned
from homing.domain.records import RRset, ViewEvent, ZoneChange, ZoneRemoved, ZoneSnapshot
from homing.nameserver import compiler
from homing.nameserver.hot_answers import HotAnswers
from homing.nameserver.signatures import NewSignatures, ZoneSignatures
from homing.nameserver.view import (
    ANY_PREFERENCE,
    WILDCARD,
    build_rrset,
    soa_rrsets,
)

log = logging.getLogger(__name__)

Entry = tuple[bytes, bytes]
"""An RRset compiled: its record count as two bytes (shared objects), and its answer section
(``compiler.entry``)."""
Node = tuple[Any, ...]
"""(type, count, section, type, count, section, ...) in the order the types were added. A
flat tuple costs 104 bytes where a dict of entries costs 240: at a million names that is
130 MB per process, and the fast path splices count and section without slicing."""
COUNTS = [n.to_bytes(2, "big") for n in range(256)]
LENGTHS = [n.to_bytes(1, "big") for n in range(64)]
WILDCARD_PREFIX = b"\x01" + WILDCARD
ENTRY_HEADER = struct.Struct("!HHHHHH")
ADDRESS_TYPES: dict[int, socket.AddressFamily] = {
    dns.rdatatype.A: socket.AF_INET,
    dns.rdatatype.AAAA: socket.AF_INET6,
}
"""Types compiled by hand at start-up, with the address family of their rdata."""
RDATATYPES = {"A": int(dns.rdatatype.A), "AAAA": int(dns.rdatatype.AAAA)}
"""Plain ints, as a node holds its types (``CompiledZone.nodes``)."""
MAX_TTL = 0x7FFFFFFF
WIRE_CANONICAL = frozenset((dns.rdatatype.A, dns.rdatatype.AAAA, dns.rdatatype.TXT))
"""Types whose rdata names no domain name: on the wire as they are signed."""
OWNER_POINTER = b"\xc0\x0c"
"""An entry's records are owned by the question's name (``compiler.entry``)."""
RECORD_HEAD = struct.Struct("!HHIH")
MAX_LABEL = 63
MAX_TEXT = 254
SERIAL_FROM_END = 20
"""An SOA's rdata ends with serial, refresh, retry, expire and minimum (RFC 1035 3.3.13)."""


def name_key(name: dns.name.Name) -> bytes:
    """The lookup key of a name: its wire form in lower case (DNS names ignore ASCII case)."""
    return compiler.wire_of(name).lower()


@functools.lru_cache(maxsize=4096)
def zone_key(zone: str) -> bytes:
    """``name_key`` of a zone's name as text: asked for every change a view applies."""
    return name_key(dns.name.from_text(zone))


def parent_key(key: bytes) -> bytes:
    return key[key[0] + 1 :]


def owner_key(text: str) -> bytes:
    """``name_key`` of a name in our text form; dnspython parses only a name with escapes,
    upper case or no final dot (a view applies every change's owners through here)."""
    return _plain_key(text) or name_key(dns.name.from_text(text))


def strictly_below(key: bytes, ancestor: bytes) -> bool:
    """True if the name of ``key`` is a subdomain of ``ancestor``'s, and not that name itself:
    a label at a time, so a label that ends in the ancestor's bytes is no match."""
    if len(key) <= len(ancestor):
        return False
    while len(key) > len(ancestor):
        key = parent_key(key)
    return key == ancestor


def count_bytes(count: int) -> bytes:
    """A record count as the two bytes of a header field (the common ones shared)."""
    return COUNTS[count] if count < len(COUNTS) else count.to_bytes(2, "big")


def pack_entry(count: int, section: bytes) -> Entry:
    return count_bytes(count), section


def _unsigned(key: bytes, rdtype: int, entry: Entry) -> Callable[[], dns.rrset.RRset | Unsigned]:
    """The RRset of an entry as its signature covers it, for later: called only by a zone
    that signs (``ZoneSignatures.signed``).

    A, AAAA and TXT rdata hold no names, so the entry's bytes are already canonical
    (RFC 4034 6.2) and no RRset is built; other types are decoded.
    """

    def build() -> dns.rrset.RRset | Unsigned:
        owner = dns.name.from_wire(key, 0)[0]
        if rdtype not in WIRE_CANONICAL:
            return decode_entry(owner, rdtype, entry)
        count, section = entry
        rdatas, ttl, at = [], 0, 0
        for _ in range(record_count(count)):
            if section[at : at + 2] != OWNER_POINTER:
                return decode_entry(owner, rdtype, entry)
            _, _, ttl, length = RECORD_HEAD.unpack_from(section, at + 2)
            at += 2 + RECORD_HEAD.size
            rdatas.append(section[at : at + length])
            at += length
        return Unsigned.of_wire(owner, key, rdtype, ttl, rdatas)

    return build


def decode_entry(owner: dns.name.Name, rdtype: int, entry: Entry) -> dns.rrset.RRset:
    """The RRset an entry was compiled from (for the reference engine and transfers)."""
    count, section = entry
    header = ENTRY_HEADER.pack(0, 0x8400, 1, int.from_bytes(count, "big"), 0, 0)
    wire = header + compiler.wire_of(owner) + struct.pack("!HH", rdtype, 1) + section
    return dns.message.from_wire(wire).answer[0]


def _packed_addresses(rrset: RRset, family: socket.AddressFamily) -> list[bytes] | None:
    """The rdata of an A/AAAA set in canonical text form, in order, duplicates dropped.

    Anything not in the form the C library prints back is left to dnspython.
    """
    packed: list[bytes] = []
    for text in rrset.rdatas:
        try:
            address = socket.inet_pton(family, text)
        except OSError:
            return None
        if socket.inet_ntop(family, address) != text:
            return None
        if address not in packed:
            packed.append(address)
    return packed


def _plain_key(text: str) -> bytes | None:
    """The key of an absolute name in plain lower-case text (no escapes), without dnspython."""
    if not text.isascii() or "\\" in text or not text.endswith(".") or len(text) > MAX_TEXT:
        return None
    raw = text.encode()
    if raw != raw.lower() or raw == b".":
        return None
    labels = raw[:-1].split(b".")
    if not all(0 < len(label) <= MAX_LABEL for label in labels):
        return None
    return b"".join([LENGTHS[len(label)] + label for label in labels]) + b"\x00"


class _Keys:
    """``_plain_key`` at start-up speed: the last name's key, and every parent's kept.

    An A and an AAAA of one host come one after the other, so the last key is
    asked again at once; and a million hosts have a handful of parents (the
    zone, a few subdomains), so a new name's key is its first label's bytes
    before its parent's key, kept from the first time. ``tests/nameserver/
    test_load_keys.py`` holds it to ``_plain_key``.
    """

    def __init__(self) -> None:
        self.text = ""
        self.key: bytes | None = None
        self._parents: dict[str, bytes | None] = {"": b"\x00"}

    def of(self, text: str) -> bytes | None:
        if text != self.text:
            self.text, self.key = text, self._key(text)
        return self.key

    def _key(self, text: str) -> bytes | None:
        label, dot, rest = text.partition(".")
        if not dot or len(text) > MAX_TEXT or not 0 < len(label) <= MAX_LABEL:
            return None
        parent = self._parents.get(rest, b"")
        if parent == b"":
            parent = self._parents[rest] = _plain_key(rest)
        if parent is None or not label.isascii() or "\\" in label:
            return None
        raw = label.encode()
        if raw != raw.lower():
            return None
        return LENGTHS[len(raw)] + raw + parent


def compile_rrset(rrset: RRset, keys: _Keys | None = None) -> tuple[bytes, int, Entry] | None:
    """(owner key, type, entry) of an RRset in our text form; None (and a log line) if invalid."""
    rdtype = RDATATYPES.get(rrset.rtype) or dns.rdatatype.from_text(rrset.rtype)
    family = ADDRESS_TYPES.get(rdtype)
    if family is not None and 0 <= rrset.ttl <= MAX_TTL:
        packed = _packed_addresses(rrset, family)
        key = keys.of(rrset.name) if keys is not None else _plain_key(rrset.name)
        if packed and key is not None:
            return key, rdtype, pack_entry(*compiler.address_entry(rdtype, rrset.ttl, packed))
    built = build_rrset(rrset)
    if built is None:
        return None
    return name_key(built.name), rdtype, pack_entry(*compiler.entry([built], built.name))


@dataclass(slots=True)
class CompiledZone:
    """One zone's compiled answers (see the module docstring)."""

    origin: dns.name.Name
    key: bytes
    serial: int
    soa: dns.rrset.RRset
    negative_soa: dns.rrset.RRset
    """dnspython's SOA RRsets as last made: read them through ``soa_rrsets``."""
    negative: compiler.Template
    nodes: dict[bytes, Node] = field(default_factory=dict)
    ents: Counter[bytes] = field(default_factory=Counter)
    """Names with no records but with descendants: they answer NODATA, not NXDOMAIN."""
    wildcards: dict[bytes, dict[int, compiler.Template | None]] = field(default_factory=dict)
    """Closest encloser → the templates of ``*.encloser`` by type (None: not templatable)."""
    records: int = 0
    dnssec: ZoneSignatures | None = None
    """A signed zone's RRSIGs and NSEC3 chain, patched with every ``put``."""
    soa_unsigned: Unsigned | None = None
    """The apex SOA as it is signed, made once (``_unsigned_soa``)."""

    def __getstate__(self) -> dict[str, Any]:
        """Pickled for the DNS workers with the node table marshalled: a million nodes of
        bytes and plain ints cross in a fraction of pickle's time (pickle memoizes every
        tuple and bytes object it writes), shared objects still shared. The marshalled
        table is a ``PickleBuffer``: the workers' channel sends it beside the pickle and
        a worker reads it where it arrived, not from a copy (``channel``)."""
        state = {name: getattr(self, name) for name in self.__slots__}
        state["nodes"] = pickle.PickleBuffer(marshal.dumps(self.nodes))
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            # Pickled by this program's provider for its own workers (nameserver/channel.py).
            setattr(self, name, marshal.loads(value) if name == "nodes" else value)  # noqa: S302

    def node_exists_key(self, key: bytes) -> bool:
        return key in self.nodes or key in self.ents

    def put(self, key: bytes, rdtype: int, entry: Entry | None) -> None:
        """Set or (with None) delete one RRset's entry, keeping the zone's indexes."""
        rdtype = int(rdtype)  # a plain int, not dnspython's enum: the nodes marshal
        node = self.nodes.get(key, ())
        at = node.index(rdtype) if rdtype in node else -1
        if entry is None:
            if at < 0:
                return
            self.records -= record_count(node[at + 1])
            node = node[:at] + node[at + 3 :]
            if node:
                self.nodes[key] = node
            else:
                del self.nodes[key]
                self._count_ancestors(key, -1)
        elif at < 0:
            if not node:
                self._count_ancestors(key, +1)
            self.nodes[key] = (*node, rdtype, *entry)
            self.records += record_count(entry[0])
        else:
            self.records += record_count(entry[0]) - record_count(node[at + 1])
            self.nodes[key] = (*node[: at + 1], *entry, *node[at + 3 :])
        if key.startswith(WILDCARD_PREFIX):
            self._recompile_wildcard(key)
        if self.dnssec is not None:
            self._sign(key, rdtype, entry)

    def _sign(self, key: bytes, rdtype: int, entry: Entry | None) -> None:
        """Sign the RRset just put, and bring the name and its ancestors up to date in NSEC3."""
        assert self.dnssec is not None
        if entry is None:
            self.dnssec.signed(key, rdtype, None)
        elif key == self.key and rdtype == dns.rdatatype.SOA:
            self.dnssec.signed(key, rdtype, self._unsigned_soa)  # a serial bump: nothing decoded
        else:
            self.dnssec.signed(key, rdtype, _unsigned(key, rdtype, entry))
        names: list[tuple[bytes, list[int] | None]] = []
        at = key
        while True:
            node = self.nodes.get(at)
            if node is not None:
                names.append((at, list(node[::3])))
            else:
                names.append((at, [] if at in self.ents else None))
            if at == self.key or not at.endswith(self.key):
                break
            at = parent_key(at)
        self.dnssec.names_changed(names)

    def sign_everything(self, signatures: ZoneSignatures) -> None:
        """Start signing: every RRset, and the NSEC3 chain over every node and non-terminal."""
        self.dnssec = None
        for rrset in signatures.apex(self.soa.ttl):
            self.put(self.key, rrset.rdtype, pack_entry(*compiler.entry([rrset], self.origin)))
        for key, node in self.nodes.items():
            for rdtype, entry in node_items(node):
                signatures.signed(key, rdtype, _unsigned(key, rdtype, entry))
        names: list[tuple[bytes, list[int] | None]] = [
            (key, list(node[::3])) for key, node in self.nodes.items()
        ]
        names += [(key, []) for key in self.ents]
        signatures.names_changed(names)
        self.dnssec = signatures

    def refresh_signatures(self) -> NewSignatures | None:
        """Sign again what nears its expiry (a zone that never changes still stays valid).

        Returns what was made, for the DNS workers, which install it (``ZoneSignatures.install``)
        and never refresh on their own; None where nothing was due or the zone is not signed here.
        """
        if self.dnssec is None or not self.dnssec.signs:
            return None
        self.dnssec.take_made()
        for key, rdtype in self.dnssec.stale():
            node = self.nodes.get(key, ())
            at = node.index(rdtype) if rdtype in node[::3] else -1
            entry = (node[at + 1], node[at + 2]) if at >= 0 else None
            self.dnssec.signed(key, rdtype, _unsigned(key, rdtype, entry) if entry else None)
        self.dnssec.refresh_denial()
        made = self.dnssec.take_made()
        return made if made.rrsigs or made.denial else None

    def _count_ancestors(self, key: bytes, delta: int) -> None:
        if key == self.key:
            return
        parent = parent_key(key)
        while parent != self.key and parent.endswith(self.key):
            self.ents[parent] += delta
            if self.ents[parent] <= 0:
                del self.ents[parent]
            parent = parent_key(parent)

    def _recompile_wildcard(self, key: bytes) -> None:
        encloser = parent_key(key)
        node = self.nodes.get(key)
        if node is None:
            self.wildcards.pop(encloser, None)
            return
        owner = dns.name.from_wire(key, 0)[0]
        base = owner.parent()
        self.wildcards[encloser] = {
            rdtype: compiler.template([decode_entry(owner, rdtype, entry)], base, synthesised=True)
            for rdtype, entry in node_items(node)
        }

    def set_serial(self, serial: int) -> None:
        """A new serial, patched into the bytes of the apex SOA and of the negative template
        (an SOA record ends with its numbers); dnspython's SOA is made again when read."""
        self.serial = serial
        node = self.nodes[self.key]
        at = node.index(dns.rdatatype.SOA)
        self.put(self.key, dns.rdatatype.SOA, (node[at + 1], with_serial(node[at + 2], serial)))
        pieces = self.negative.pieces
        self.negative = replace(
            self.negative, pieces=(*pieces[:-1], with_serial(pieces[-1], serial))
        )

    def _unsigned_soa(self) -> Unsigned:
        """The apex SOA as its signature covers it: its canonical rdata, kept, ends with the
        numbers as its wire form does, so a serial bump patches it like the entry."""
        if self.soa_unsigned is None:
            self.soa_unsigned = Unsigned.of(self.soa_rrsets()[0])
        (rdata,) = self.soa_unsigned.rdatas
        return replace(self.soa_unsigned, rdatas=(with_serial(rdata, self.serial),))

    def soa_rrsets(self) -> tuple[dns.rrset.RRset, dns.rrset.RRset]:
        """The apex SOA and the SOA of negative answers, with the current serial."""
        if self.soa[0].serial != self.serial:
            rdata = self.soa[0].replace(serial=self.serial)
            self.soa = dns.rrset.from_rdata(self.origin, self.soa.ttl, rdata)
            self.negative_soa = dns.rrset.from_rdata(self.origin, self.negative_soa.ttl, rdata)
        return self.soa, self.negative_soa


def with_serial(wire: bytes, serial: int) -> bytes:
    """``wire``, which ends with an SOA record, with that record's serial set to ``serial``."""
    return wire[:-SERIAL_FROM_END] + serial.to_bytes(4, "big") + wire[-SERIAL_FROM_END + 4 :]


def record_count(count: bytes) -> int:
    return int.from_bytes(count, "big")


def type_index(node: Node, qtype: int) -> int:
    """Where ``qtype``'s record count and section sit at a node, or -1; for ANY, the one RRset
    by preference (RFC 8482)."""
    if qtype == dns.rdatatype.ANY:
        for rdtype in ANY_PREFERENCE:
            if rdtype in node:
                return node.index(rdtype)
        return 0
    if qtype in node:
        return node.index(qtype)
    return -1


def node_items(node: Node) -> Iterator[tuple[int, Entry]]:
    """(type, entry) pairs of a node, in the order the types were added."""
    for at in range(0, len(node), 3):
        yield node[at], (node[at + 1], node[at + 2])


def _negative_template(soa: dns.rrset.RRset, origin: dns.name.Name) -> compiler.Template:
    negative = compiler.template([soa], origin)
    if negative is None:
        raise ValueError(f"the SOA of {origin} cannot be compiled")
    return negative


def _zone_from(
    snapshot: ZoneSnapshot, *, signs: bool, shipped: NewSignatures | None
) -> CompiledZone:
    origin = dns.name.from_text(snapshot.zone)
    soa, negative_soa, ns = soa_rrsets(snapshot, origin)
    zone = CompiledZone(
        origin=origin,
        key=name_key(origin),
        serial=snapshot.soa.serial,
        soa=soa,
        negative_soa=negative_soa,
        negative=_negative_template(negative_soa, origin),
    )
    zone.put(zone.key, dns.rdatatype.SOA, pack_entry(*compiler.entry([soa], origin)))
    if ns is not None:
        zone.put(zone.key, dns.rdatatype.NS, pack_entry(*compiler.entry([ns], origin)))
    _load(zone, snapshot.rrsets)
    if snapshot.signing is not None:
        signatures = ZoneSignatures(origin, snapshot.signing, negative_soa.ttl, signs=signs)
        signatures.shipped = shipped
        zone.sign_everything(signatures)
        signatures.shipped = None
    return zone


def _load(zone: CompiledZone, rrsets: tuple[RRset, ...]) -> None:
    """Compile a zone's RRsets into it: the start-up path, measured at a million hosts.

    A host's one A and one AAAA record are the common case, and get a loop of
    their own: the record bytes are a cached 12-byte head (owner pointer, type,
    class, TTL, length) and the address, and a new name below the apex needs
    no ancestor bookkeeping. Everything else takes ``compile_rrset`` and
    ``put``; tests hold both ways to dnspython's rendering.
    """
    keys = _Keys()
    nodes, parent = zone.nodes, zone.key
    heads: dict[tuple[int, int], bytes] = {}
    one = COUNTS[1]
    for rrset in rrsets:
        rdtype = RDATATYPES.get(rrset.rtype)
        key = keys.of(rrset.name) if rdtype is not None and len(rrset.rdatas) == 1 else None
        if key is not None and key.startswith(WILDCARD_PREFIX):
            key = None
        if key is not None and rdtype is not None and 0 <= rrset.ttl <= MAX_TTL:
            family = ADDRESS_TYPES[rdtype]
            text = rrset.rdatas[0]
            try:
                packed = socket.inet_pton(family, text)
            except OSError:
                packed = b""
            if packed and socket.inet_ntop(family, packed) == text:
                head = heads.get((rdtype, rrset.ttl))
                if head is None:
                    head = heads[rdtype, rrset.ttl] = compiler.address_entry(
                        rdtype, rrset.ttl, [packed]
                    )[1][: -len(packed)]
                node = nodes.get(key)
                if node is None and parent_key(key) == parent:
                    nodes[key] = (rdtype, one, head + packed)
                    zone.records += 1
                    continue
                if node is not None and rdtype not in node:
                    nodes[key] = (*node, rdtype, one, head + packed)
                    zone.records += 1
                    continue
        compiled = compile_rrset(rrset, keys)
        if compiled is not None:
            zone.put(*compiled)


class _Nodes(Mapping[dns.name.Name, dict[dns.rdatatype.RdataType, dns.rrset.RRset]]):
    """A zone's nodes as the reference engine reads them: RRsets decoded on demand."""

    def __init__(self, zone: CompiledZone) -> None:
        self._zone = zone

    def _decode(
        self, name: dns.name.Name, node: Node
    ) -> dict[dns.rdatatype.RdataType, dns.rrset.RRset]:
        return {
            dns.rdatatype.RdataType.make(rdtype): decode_entry(name, rdtype, entry)
            for rdtype, entry in node_items(node)
        }

    def __getitem__(self, name: dns.name.Name) -> dict[dns.rdatatype.RdataType, dns.rrset.RRset]:
        node = self._zone.nodes.get(name_key(name))
        if node is None:
            raise KeyError(name)
        return self._decode(name, node)

    def __contains__(self, name: object) -> bool:
        # Without this, Mapping would decode the whole node to answer yes or no.
        return isinstance(name, dns.name.Name) and name_key(name) in self._zone.nodes

    def __iter__(self) -> Iterator[dns.name.Name]:
        return (dns.name.from_wire(key, 0)[0] for key in self._zone.nodes)

    def __len__(self) -> int:
        return len(self._zone.nodes)


class ZoneReader:
    """The read interface of ``view.ZoneData`` over a compiled zone."""

    def __init__(self, zone: CompiledZone) -> None:
        self.compiled = zone
        self.nodes = _Nodes(zone)

    @property
    def origin(self) -> dns.name.Name:
        return self.compiled.origin

    @property
    def serial(self) -> int:
        return self.compiled.serial

    @property
    def soa(self) -> dns.rrset.RRset:
        return self.compiled.soa_rrsets()[0]

    @property
    def negative_soa(self) -> dns.rrset.RRset:
        return self.compiled.soa_rrsets()[1]

    @property
    def has_wildcards(self) -> int:
        return len(self.compiled.wildcards)

    @property
    def records(self) -> int:
        return self.compiled.records

    def node_exists(self, name: dns.name.Name) -> bool:
        return self.compiled.node_exists_key(name_key(name))

    @property
    def dnssec(self) -> ZoneSignatures | None:
        return self.compiled.dnssec


class CompiledView:
    """All zones this server is authoritative for, compiled (see the module docstring).

    The provider's view signs (``signs``) and keeps what applying the last
    event signed (``signatures_for``); a DNS worker's view (``signs=False``)
    applies each event with those signatures and never signs
    (``signatures`` module docstring).
    """

    def __init__(self, *, signs: bool = True) -> None:
        self.hot = HotAnswers()
        """Whole answers to the questions asked most, forgotten here as their names change."""
        self.zones: dict[bytes, CompiledZone] = {}
        self.by_length: list[tuple[bytes, CompiledZone]] = []
        """Zones, longest name first: the fast path's first guess at the closest zone."""
        self.signs = signs
        self._last: tuple[int, NewSignatures | None] | None = None
        """The ``id`` of the last event applied here and what applying it signed. Not the
        event itself: a zone loaded at start-up would stay in memory (a million hosts'
        snapshot is hundreds of MiB), and the id is checked only while the bus still
        holds the event, once it has been applied (``apply`` clears it first)."""

    def apply(self, event: ViewEvent, shipped: NewSignatures | None = None) -> None:
        """Apply one event; a worker's view takes its signatures from ``shipped``."""
        self._last = None
        made: NewSignatures | None = None
        if isinstance(event, ZoneSnapshot):
            zone = _zone_from(event, signs=self.signs, shipped=shipped)
            self.zones[zone.key] = zone
            if zone.dnssec is not None and self.signs:
                made = zone.dnssec.take_made()
            log.info(
                "zone %s loaded (serial %d, %d names)", event.zone, zone.serial, len(zone.nodes)
            )
        elif isinstance(event, ZoneChange):
            made = self._apply_change(event, shipped)
        elif isinstance(event, ZoneRemoved):
            self.zones.pop(zone_key(event.zone), None)
            log.info("zone %s removed", event.zone)
        if not isinstance(event, ZoneChange):
            self.hot.clear()
            self.by_length = sorted(self.zones.items(), key=lambda item: -len(item[0]))
        self._last = (id(event), made)

    def signatures_for(self, event: ViewEvent) -> NewSignatures | None:
        """What applying ``event`` signed here (None: nothing), checked to be that event's.

        The bus calls this view before the worker pool, which ships the result with the
        event; an event this view failed to apply has none (the failure is logged).
        """
        if self._last is None or self._last[0] != id(event):
            log.error("DNSSEC: %s reached the workers without its signatures", type(event).__name__)
            return None
        return self._last[1]

    def install(self, zone: CompiledZone) -> None:
        """Take a zone compiled elsewhere (a DNS worker receives the provider's)."""
        if zone.dnssec is not None:
            zone.dnssec.signs = self.signs
        self.zones[zone.key] = zone
        self.hot.clear()
        self.by_length = sorted(self.zones.items(), key=lambda item: -len(item[0]))

    def _apply_change(
        self, change: ZoneChange, shipped: NewSignatures | None
    ) -> NewSignatures | None:
        zone = self.zones.get(zone_key(change.zone))
        if zone is None:
            log.warning("change for unknown zone %s ignored", change.zone)
            return None
        if zone.dnssec is not None:
            zone.dnssec.take_made()
            zone.dnssec.shipped = shipped
        try:
            for rrset in change.rrsets:
                compiled = compile_rrset(rrset) if rrset.rdatas else None
                key = compiled[0] if compiled is not None else owner_key(rrset.name)
                if not strictly_below(key, zone.key):
                    log.error(
                        "change outside or at the apex of %s ignored: %s", change.zone, rrset.name
                    )
                    continue
                if compiled is None:
                    zone.put(key, dns.rdatatype.from_text(rrset.rtype), None)
                else:
                    zone.put(key, compiled[1], compiled[2])
                self.hot.forget(key)
            zone.set_serial(change.serial)
            self.hot.forget(zone.key)
        finally:
            if zone.dnssec is not None:
                zone.dnssec.shipped = None
        return zone.dnssec.take_made() if zone.dnssec is not None and self.signs else None

    def find_zone(self, qname: dns.name.Name) -> ZoneReader | None:
        """The closest enclosing zone of ``qname``, read as the reference engine reads it."""
        name = qname
        while True:
            zone = self.zones.get(name_key(name))
            if zone is not None:
                return ZoneReader(zone)
            if len(name.labels) <= 1:
                return None
            name = name.parent()

    def refresh_signatures(self) -> dict[bytes, NewSignatures]:
        """Sign again, in every signed zone, what nears expiry; returns what was made, by zone
        key, for the DNS workers (``install_refreshed``)."""
        made = {key: zone.refresh_signatures() for key, zone in self.zones.items()}
        return {key: signatures for key, signatures in made.items() if signatures is not None}

    def install_refreshed(self, refreshed: dict[bytes, NewSignatures]) -> None:
        """A worker's view takes the provider's refresh (``refresh_signatures``)."""
        for key, signatures in refreshed.items():
            zone = self.zones.get(key)
            if zone is not None and zone.dnssec is not None:
                zone.dnssec.install(signatures)

    def serial(self, zone: str) -> int | None:
        found = self.zones.get(name_key(dns.name.from_text(zone)))
        return found.serial if found else None

    def zones_text(self) -> list[str]:
        return sorted(z.origin.to_text() for z in self.zones.values())

    def sizes(self) -> list[tuple[str, int, int]]:
        """(zone, names, records) of every zone, cheap enough for each metrics scrape."""
        return [(z.origin.to_text(), len(z.nodes), z.records) for z in self.zones.values()]
