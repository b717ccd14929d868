"""A signed zone's DNSSEC data, kept beside its compiled answers and patched with them.

Signatures belong to the data, not to the query: an RRSIG is made when its
RRset is compiled (at load, or when a change names it), and an NSEC3 record
and its RRSIG when the set of names or a name's types change. A query with
the DO bit only reads what is here. During a key rollover every RRSIG set
holds one signature per key (``ZoneSigning.others``, ``homing.dnssec.rollover``).

Only the provider signs (issue 12: signing in every process cost each
update 1 + N signatures). Its zones record what they sign while one event
or one refresh is applied (``NewSignatures``), and the DNS workers, whose
zones are made with ``signs=False``, apply the same event to their own
compiled answers and NSEC3 chain but take each RRSIG from what the
provider shipped with it (``channel.Event``, ``channel.Resigned``). A
worker never builds the RRsets that exist only to be signed, and never
signs: a signature it was not sent is a bug, logged, and the RRset is
served unsigned rather than with a signature of other data.

The fast path (``fastpath``) answers DO=1 queries from wire bytes of
these (``answer_rrsig``, ``negative_rrsig``, ``denial_wire``). They are
made from the RRsets on the first query that needs them and forgotten when
their RRset is signed again, so a zone of a million names pays for the bytes
of the names that are asked for, and never serves an old signature.

The private key travels to the workers as PEM inside the pickled zone
(``__getstate__``): key objects do not pickle, and the workers are this
server's own processes on a socket pair.
"""

from __future__ import annotations

import logging
import struct
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from homing.dnssec import nsec3
from homing.dnssec.keys import Algorithm, ZoneKey
from homing.dnssec.signer import Unsigned, needs_refresh, sign
from homing.dnssec.zone import apex_records
from homing.domain.records import ZoneSigning
from homing.nameserver.compiler import Template

log = logging.getLogger(__name__)

Clock = Callable[[], float]
RRsetBuilder = Callable[[], dns.rrset.RRset | Unsigned]
"""Builds an RRset that is about to be signed: only a zone that signs calls it."""
REFRESH_CHECK_SECONDS = 3600.0
"""How often signed zones look for signatures near expiry (``signer.REFRESH_SECONDS``)."""
RECORD_FIELDS = struct.Struct("!HHIH")
"""Type, class, TTL and rdata length: what follows a record's owner name on the wire."""
TTL = struct.Struct("!I")
TTL_AT = 4
"""Where the TTL sits in ``RECORD_FIELDS``."""
OWNER_IS_QUESTION = b"\xc0\x0c"
NegativeHead = tuple[Template, bytes, int]
"""The negative template it was made with, the SOA and its RRSIGs on the wire, how many."""
DenialWire = tuple[bytes, bytes, tuple[bytes, ...], int]
"""An NSEC3 record on the wire: its hashed label (length byte included), what follows its
owner name, what follows the owner name in each of its RRSIG records, and the size of them
all with the owners' pointers."""


def record_tails(rrset: dns.rrset.RRset, ttl: int) -> tuple[bytes, ...]:
    """Each record of ``rrset`` after its owner name, as dnspython renders it with ``ttl``.

    Neither RRSIG nor NSEC3 rdata holds a name that is compressed (RFC 4034
    3.1.7), so these bytes do not depend on where in a message they go.
    """
    tails = []
    for rdata in rrset:
        wire = rdata.to_wire()
        assert wire is not None
        fields = RECORD_FIELDS.pack(rrset.rdtype, dns.rdataclass.IN, ttl, len(wire))
        tails.append(fields + wire)
    return tuple(tails)


def _keys_of(origin: dns.name.Name, signing: ZoneSigning) -> tuple[ZoneKey, list[ZoneKey]]:
    """The key CDS names, and every key that signs (it first; two during a rollover)."""
    keys = [
        ZoneKey.from_pem(origin, Algorithm(one.algorithm), one.private_pem)
        for one in (signing, *signing.others)
    ]
    return keys[0], keys


@dataclass(frozen=True, slots=True)
class WireRRSIG:
    """An RRSIG set as it crosses to the DNS workers: its records after the owner name.

    Unpickling dnspython RRsets cost each worker more than the provider's
    signing saved it (issue 12), and a worker's fast path wants the wire
    bytes anyway: it serves these as they are, and the reference engine
    decodes them (``rrset``) the one time it asks.
    """

    ttl: int
    tails: tuple[bytes, ...]
    """``record_tails`` of the set with ``ttl``."""

    @classmethod
    def of(cls, rrsig: dns.rrset.RRset) -> WireRRSIG:
        return cls(rrsig.ttl, record_tails(rrsig, rrsig.ttl))

    def rrset(self, owner: dns.name.Name) -> dns.rrset.RRset:
        fields = RECORD_FIELDS.size
        rdatas = [
            dns.rdata.from_wire(
                dns.rdataclass.IN, dns.rdatatype.RRSIG, tail, fields, len(tail) - fields
            )
            for tail in self.tails
        ]
        return dns.rrset.from_rdata_list(owner, self.ttl, rdatas)

    def with_ttl(self, ttl: int) -> tuple[bytes, ...]:
        """The tails with another TTL (the SOA's RRSIG in negative answers)."""
        if ttl == self.ttl:
            return self.tails
        packed = TTL.pack(ttl)
        return tuple(tail[:TTL_AT] + packed + tail[TTL_AT + TTL.size :] for tail in self.tails)


Signature = dns.rrset.RRset | WireRRSIG
"""An RRSIG set as the provider makes it, or as a worker was sent it (``WireRRSIG``)."""


def _tails(rrsig: Signature, ttl: int) -> tuple[bytes, ...]:
    if isinstance(rrsig, WireRRSIG):
        return rrsig.with_ttl(ttl)
    return record_tails(rrsig, ttl)


@dataclass(slots=True)
class NewSignatures:
    """The RRSIGs one zone made (or dropped: None) while applying one event or one refresh.

    What the provider ships to its DNS workers so that they install instead
    of signing (module docstring). Only the last signature of a key counts:
    a worker that applies the same event ends where the provider ended.
    """

    rrsigs: dict[tuple[bytes, int], Signature | None] = field(default_factory=dict)
    """(owner key, covered type) → the RRSIG set of that RRset, None once it is deleted."""
    denial: dict[bytes, Signature | None] = field(default_factory=dict)
    """NSEC3 hash → the RRSIG of its NSEC3 record, None once the hash left the chain."""

    def __reduce__(self) -> tuple[type[NewSignatures], tuple[Any, ...]]:
        """Pickled for a worker with every RRSIG set as ``WireRRSIG``: only what is sent pays."""
        rrsigs = {key: _shippable(rrsig) for key, rrsig in self.rrsigs.items()}
        denial = {digest: _shippable(rrsig) for digest, rrsig in self.denial.items()}
        return NewSignatures, (rrsigs, denial)

    def __len__(self) -> int:
        """How many signatures were made (dropped ones not counted)."""
        made = sum(rrsig is not None for rrsig in self.rrsigs.values())
        return made + sum(rrsig is not None for rrsig in self.denial.values())


class ZoneSignatures:
    """RRSIGs by (owner key, covered type), and the NSEC3 chain with its signed records."""

    def __init__(
        self,
        origin: dns.name.Name,
        signing: ZoneSigning,
        denial_ttl: int,
        clock: Clock = time.time,
        *,
        signs: bool = True,
    ) -> None:
        self.origin = origin
        self.signing = signing
        self.key, self.keys = _keys_of(origin, signing)
        self.clock = clock
        self.rrsigs: dict[tuple[bytes, int], Signature] = {}
        """RRsets where signed here; ``WireRRSIG`` in a worker until the reference engine
        decodes one (``rrsig``)."""
        self.chain = nsec3.Chain(origin, denial_ttl)
        self.denial: dict[bytes, tuple[dns.rrset.RRset, Signature]] = {}
        """NSEC3 hash → (its NSEC3 RRset, that RRset's RRSIG)."""
        self.signs = signs
        """False in a DNS worker: every signature comes from ``shipped``, none is made here."""
        self.made = NewSignatures()
        """What was signed since ``take_made`` last ran (kept only where ``signs``)."""
        self.shipped: NewSignatures | None = None
        """In a DNS worker, while one event is applied: the signatures the provider made for it."""
        self._forget_wire()

    def _forget_wire(self) -> None:
        self.answers: dict[bytes, tuple[Any, ...]] = {}
        """Owner key → the positive signed answers of its node (``signed_fast.kept_answers``),
        forgotten here when one of its RRsets is signed again."""
        self._negative_wire: tuple[bytes, ...] | None = None
        self._denial_wire: dict[bytes, DenialWire] = {}
        self.negative_heads: dict[int, NegativeHead] = {}
        """Where the zone's name starts in the question → the negative answer's SOA and its
        RRSIGs there (``signed_fast``): forgotten when the SOA is signed again."""
        self.proof_pieces: dict[tuple[bytes, int, int], tuple[bytes, int]] = {}
        """(NSEC3 hash, its offset in the answer, the zone name's offset in the question) →
        (the record and its RRSIGs on the wire there, how many records): kept by
        ``signed_fast``, forgotten with any change to the chain or its signatures."""
        self.enclosers: dict[bytes, tuple[bytes, bytes]] = {}
        """Closest encloser → (its hash, the hash covering its wildcard), as ``proof_pieces``."""

    def __getstate__(self) -> dict[str, Any]:
        state = {name: getattr(self, name) for name in ("origin", "signing", "rrsigs", "chain")}
        state["denial"] = self.denial
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)
        self.clock = time.time
        # A zone crosses the channel only to a DNS worker, which must never sign.
        self.signs = False
        self.made = NewSignatures()
        self.shipped = None
        self._forget_wire()
        self.key, self.keys = _keys_of(self.origin, state["signing"])

    def now(self) -> int:
        return int(self.clock())

    def apex(self, ttl: int) -> list[dns.rrset.RRset]:
        """DNSKEY, CDS, CDNSKEY and NSEC3PARAM: served at the apex like any RRset."""
        return apex_records(self.key, ttl, self.keys[1:])

    def take_made(self) -> NewSignatures:
        """What was signed since the last call: for the DNS workers (module docstring)."""
        made, self.made = self.made, NewSignatures()
        return made

    def signed(self, key: bytes, rdtype: int, rrset: RRsetBuilder | None) -> None:
        """Sign the RRset ``rrset`` builds (owned by ``key``), or (None) forget a deleted one's.

        A worker takes the provider's signature instead, and never builds the RRset.
        """
        self._install(key, rdtype, self._rrsig(key, rdtype, rrset) if rrset else None)

    def _install(self, key: bytes, rdtype: int, rrsig: Signature | None) -> None:
        self.answers.pop(key, None)
        if rdtype == dns.rdatatype.SOA:
            self._negative_wire = None
            self.negative_heads.clear()
        if rrsig is None:
            self.rrsigs.pop((key, rdtype), None)
        else:
            self.rrsigs[key, rdtype] = rrsig
        if self.signs:
            self.made.rrsigs[key, rdtype] = rrsig

    def _rrsig(self, key: bytes, rdtype: int, rrset: RRsetBuilder) -> Signature | None:
        if self.signs:
            return sign(rrset(), *self.keys, now=self.now())
        return self._shipped(self.shipped.rrsigs if self.shipped else None, (key, rdtype))

    def _denial_rrsig(self, digest: bytes, record: dns.rrset.RRset) -> Signature | None:
        if self.signs:
            return sign(record, *self.keys, now=self.now())
        return self._shipped(self.shipped.denial if self.shipped else None, digest)

    def _shipped(
        self, found: dict[Any, Signature | None] | None, key: tuple[bytes, int] | bytes
    ) -> Signature | None:
        """The provider's last signature of ``key`` for this event; None if it dropped it later
        in the same event (the worker drops it too when it gets there)."""
        if found is None or key not in found:
            log.error(
                "DNSSEC: no signature shipped for %r in %s; served unsigned", key, self.origin
            )
            return None
        return found[key]

    def install(self, shipped: NewSignatures) -> None:
        """Take a refresh the provider made (``channel.Resigned``): a worker's only refresh."""
        for (key, rdtype), rrsig in shipped.rrsigs.items():
            self._install(key, rdtype, rrsig)
        for digest, rrsig in shipped.denial.items():
            if rrsig is None or not self.chain.holds_hash(digest):
                self._set_denial(digest, None)
            else:
                self._set_denial(digest, (self.chain.record(digest), rrsig))

    def rrsig(self, key: bytes, rdtype: int) -> dns.rrset.RRset | None:
        """The RRSIG set of an RRset, as dnspython's (decoded and kept, in a worker)."""
        rrsig = self.rrsigs.get((key, rdtype))
        if isinstance(rrsig, WireRRSIG):
            rrsig = self.rrsigs[key, rdtype] = rrsig.rrset(dns.name.from_wire(key, 0)[0])
        return rrsig

    def answer_rrsig(self, key: bytes, rdtype: int) -> tuple[int, bytes] | None:
        """(records, wire) of the RRSIG of an answer owned by the question's name itself."""
        rrsig = self.rrsigs.get((key, rdtype))
        if rrsig is None:
            return None
        tails = _tails(rrsig, rrsig.ttl)
        return len(tails), b"".join(OWNER_IS_QUESTION + tail for tail in tails)

    def negative_rrsig(self, apex: bytes) -> tuple[bytes, ...] | None:
        """The SOA's RRSIG records after their owner, with the negative answers' TTL."""
        if self._negative_wire is None:
            rrsig = self.rrsigs.get((apex, dns.rdatatype.SOA))
            if rrsig is None:
                return None
            self._negative_wire = _tails(rrsig, self.chain.ttl)
        return self._negative_wire

    def denial_wire(self, digest: bytes) -> DenialWire:
        """The NSEC3 record of ``digest`` (one the chain holds) and its RRSIG, on the wire."""
        found = self._denial_wire.get(digest)
        if found is None:
            record, rrsig = self.denial[digest]
            label = record.name.labels[0]
            (tail,) = record_tails(record, record.ttl)
            owner = bytes((len(label),)) + label
            rrsig_tails = _tails(rrsig, rrsig.ttl)
            size = len(owner) + 2 + len(tail) + sum(2 + len(t) for t in rrsig_tails)
            found = owner, tail, rrsig_tails, size
            self._denial_wire[digest] = found
        return found

    def names_changed(self, names: Iterable[tuple[bytes, Iterable[int] | None]]) -> None:
        """Names (by key: canonical wire) whose types are now these (None: the name is gone);
        sign again the NSEC3 records that moves."""
        changed: set[bytes] = set()
        for key, types in names:
            digest = nsec3.hash_wire(key)
            if types is not None:
                changed |= self.chain.put_hash(digest, types)
            elif self.chain.holds_hash(digest):
                # The name's own record goes, and its predecessor's next hash changes.
                changed |= self.chain.remove_hash(digest) | {digest}
        for digest in changed:
            if not self.chain.holds_hash(digest):
                self._set_denial(digest, None)
                continue
            record = self.chain.record(digest)
            rrsig = self._denial_rrsig(digest, record)
            self._set_denial(digest, (record, rrsig) if rrsig is not None else None)

    def _set_denial(self, digest: bytes, signed: tuple[dns.rrset.RRset, Signature] | None) -> None:
        self._denial_wire.pop(digest, None)
        self.proof_pieces.clear()
        self.enclosers.clear()
        if signed is None:
            self.denial.pop(digest, None)
        else:
            self.denial[digest] = signed
        if self.signs:
            self.made.denial[digest] = signed[1] if signed is not None else None

    def proof(self, digests: Iterable[bytes]) -> list[dns.rrset.RRset]:
        """The NSEC3 records (each followed by its RRSIG) of a denial proof."""
        found: list[dns.rrset.RRset] = []
        for digest in digests:
            found += self._signed_record(digest)
        return found

    def _signed_record(self, digest: bytes) -> tuple[dns.rrset.RRset, dns.rrset.RRset]:
        """An NSEC3 record and its RRSIG as dnspython's (decoded and kept, in a worker)."""
        record, rrsig = self.denial[digest]
        if isinstance(rrsig, WireRRSIG):
            rrsig = rrsig.rrset(record.name)
            self.denial[digest] = record, rrsig
        return record, rrsig

    def stale(self) -> list[tuple[bytes, int]]:
        """RRSIGs that must be made again soon (see ``signer.REFRESH_SECONDS``)."""
        now = self.now()
        found = ((key, self.rrsig(*key)) for key in list(self.rrsigs))
        return [key for key, rrsig in found if rrsig and needs_refresh(rrsig, now=now)]

    def refresh_denial(self) -> int:
        """Sign again the NSEC3 records whose signatures near their end; returns how many."""
        now = self.now()
        held = [(digest, self._signed_record(digest)) for digest in list(self.denial)]
        due = [(d, record) for d, (record, rrsig) in held if needs_refresh(rrsig, now=now)]
        for digest, record in due:
            self._set_denial(digest, (record, sign(record, *self.keys, now=now)))
        return len(due)

    def transfer_rrsets(self) -> list[dns.rrset.RRset]:
        """What a zone transfer adds to the zone's RRsets: every RRSIG, NSEC3 and its RRSIG."""
        found = [rrsig for key in list(self.rrsigs) if (rrsig := self.rrsig(*key))]
        for digest in list(self.denial):
            found += self._signed_record(digest)
        return found


def _shippable(rrsig: Signature | None) -> WireRRSIG | None:
    """What a worker is sent of a signature made here (``WireRRSIG``)."""
    if rrsig is None or isinstance(rrsig, WireRRSIG):
        return rrsig
    return WireRRSIG.of(rrsig)
